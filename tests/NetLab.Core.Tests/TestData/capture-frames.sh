#!/usr/bin/env bash
# Regenerates frames.pcap and frames.tcpdump.txt: real frames captured by tcpdump on a veth pair between two
# scratch namespaces (nltest-cap-a, nltest-cap-b), removed again at the end. Run as root from anywhere.
# Traffic: ARP, ICMP echo, ICMP port unreachable, UDP, TCP SYN/RST, IPv6 neighbour discovery and ICMPv6 echo, and
# frames sent raw through an AF_PACKET socket with one 802.1Q tag (vlan 888), stacked 802.1ad+802.1Q tags, and LLDP's
# ethertype, so the decoder's test sees tags as they sit on a wire (this kernel has no 8021q module to make them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
a=nltest-cap-a; b=nltest-cap-b
cleanup() { ip netns del $a 2>/dev/null || true; ip netns del $b 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add $a; ip netns add $b
ip -n $a link add eth0 address 02:00:00:00:00:0a type veth peer name eth0 netns $b
ip -n $b link set eth0 address 02:00:00:00:00:0b
ip -n $a addr add 10.0.0.1/24 dev eth0; ip -n $b addr add 10.0.0.2/24 dev eth0
ip -n $a addr add fd00::1/64 dev eth0 nodad; ip -n $b addr add fd00::2/64 dev eth0 nodad
ip -n $a link set eth0 up; ip -n $b link set eth0 up
sleep 1
ip netns exec $b tcpdump -i eth0 -U -n -w "$here/frames.pcap" 2>/dev/null &
dump=$!
sleep 1
ip netns exec $a ping -c 2 -i 0.2 10.0.0.2 >/dev/null
ip netns exec $a ping -6 -c 2 -i 0.2 fd00::2 >/dev/null
ip netns exec $a python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"hello", ("10.0.0.2", 5353))
t = socket.socket(); t.settimeout(1)
try: t.connect(("10.0.0.2", 8080))
except OSError: pass
r = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); r.bind(("eth0", 0))
src = bytes.fromhex("02000000000a"); dst = bytes.fromhex("02000000000b")
ip = bytes.fromhex("4500001c0001000040010000585808085858085808000000000700010000")[:28]
icmp4 = bytes.fromhex("450000540001400040015d4f5858080858580858") + bytes.fromhex("08000000000700010000") + bytes(54)
r.send(dst + src + bytes.fromhex("8100") + (888).to_bytes(2, "big") + bytes.fromhex("0800") + icmp4)
r.send(dst + src + bytes.fromhex("88a8") + (100).to_bytes(2, "big") + bytes.fromhex("8100") + (888 | (5 << 13)).to_bytes(2, "big") + bytes.fromhex("0800") + icmp4)
r.send(dst + src + bytes.fromhex("88cc") + bytes(46))
'
sleep 1
kill $dump; wait $dump || true
tcpdump -r "$here/frames.pcap" -n -e -tt > "$here/frames.tcpdump.txt" 2>/dev/null
echo "wrote $(wc -l < "$here/frames.tcpdump.txt") frames"
