#!/usr/bin/env python3
"""Captures the real kernel rtnetlink replies in kernel-replies.json (see README.md, "kernel-replies.json").

Run as root. Everything happens in two scratch namespaces, nlfuzz-a and nlfuzz-b, which are deleted at the end,
also when something fails. The host's own interfaces are never touched.

Replies to `ip` commands are taken from strace's hex dump of every recvmsg (`-e read=all`): those are the bytes
the kernel wrote into iproute2's buffer. One reply (`error-capped-unknown-kind`) is received directly on a
socket opened the way NetLab opens its own (NETLINK_EXT_ACK and NETLINK_CAP_ACK), because iproute2 never sets
NETLINK_CAP_ACK.
"""

import datetime
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

A = "nlfuzz-a"
B = "nlfuzz-b"
OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernel-replies.json")


def sh(command, check=True):
    result = subprocess.run(command, shell=True, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{command!r} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def cleanup():
    for ns in (A, B):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


SYSCALL = re.compile(r"^(?:\d+\s+)?(?:recvmsg\(\d+, |<\.\.\. recvmsg resumed>)(.*)\) = (-?\d+|\?)")
BUFFER = re.compile(r"^ \* (\d+) bytes in buffer (\d+)$")
DUMP = re.compile(r"^ \| ([0-9a-f]{5})  (.{49})")


def parse_strace(path):
    """Every datagram a non-peeking recvmsg returned, as bytes, checked against the syscall's return value."""
    datagrams = []
    current = None
    expected = 0
    with open(path, encoding="latin-1") as trace:
        for line in trace:
            line = line.rstrip("\n")
            syscall = SYSCALL.match(line)
            if syscall:
                if current is not None:
                    datagrams.append(finish(current, expected))
                current = None
                flags = syscall.group(1).rsplit(", ", 1)[-1]
                returned = syscall.group(2)
                if returned not in ("?",) and int(returned) > 0 and "MSG_PEEK" not in flags:
                    current = bytearray()
                    expected = int(returned)
                continue
            if current is None:
                continue
            buffer = BUFFER.match(line)
            if buffer:
                if buffer.group(2) != "0":
                    raise RuntimeError("iproute2 used more than one iovec; this script expects one")
                continue
            dump = DUMP.match(line)
            if dump:
                if int(dump.group(1), 16) != len(current):
                    raise RuntimeError(f"hex dump offset {dump.group(1)} after {len(current)} bytes")
                current.extend(bytes.fromhex(dump.group(2).replace(" ", "")))
                continue
            datagrams.append(finish(current, expected))
            current = None
    if current is not None:
        datagrams.append(finish(current, expected))
    return datagrams


def finish(data, expected):
    if len(data) != expected:
        raise RuntimeError(f"hex dump holds {len(data)} bytes, recvmsg returned {expected}")
    return bytes(data)


def strace(argv, background=None):
    """Runs argv under strace; returns (datagrams, stdout, stderr, exit code)."""
    with tempfile.NamedTemporaryFile(prefix="nlfuzz-strace-", suffix=".txt", delete=False) as handle:
        trace = handle.name
    try:
        command = ["strace", "-f", "-e", "trace=recvmsg", "-e", "read=all", "-xx", "-s", "65535", "-o", trace] + argv
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if background is not None:
            background()
        stdout, stderr = process.communicate(timeout=60)
        return parse_strace(trace), stdout, stderr, process.returncode
    finally:
        os.unlink(trace)


def capped_error_reply():
    """RTM_NEWLINK for an unknown kind on a socket set up as NetLab sets up its own: the kernel caps the echo."""
    SOL_NETLINK, NETLINK_CAP_ACK, NETLINK_EXT_ACK = 270, 10, 11
    name = b"nlfuzz-x\0"
    kind = b"vlan"
    ifname = struct.pack("<HH", 4 + len(name), 3) + name + b"\0" * (-len(name) % 4)
    info_kind = struct.pack("<HH", 4 + len(kind), 1) + kind
    linkinfo = struct.pack("<HH", 4 + len(info_kind), 18) + info_kind
    body = struct.pack("<BBHiII", 0, 0, 0, 0, 0, 0) + ifname + linkinfo
    flags = 0x1 | 0x4 | 0x400 | 0x200  # REQUEST | ACK | CREATE | EXCL
    request = struct.pack("<IHHII", 16 + len(body), 16, flags, 1, 0) + body
    program = (
        "import socket,sys\n"
        "s=socket.socket(socket.AF_NETLINK,socket.SOCK_RAW,0)\n"
        f"s.setsockopt({SOL_NETLINK},{NETLINK_EXT_ACK},1)\n"
        f"s.setsockopt({SOL_NETLINK},{NETLINK_CAP_ACK},1)\n"
        "s.bind((0,0))\n"
        f"s.send(bytes.fromhex('{request.hex()}'))\n"
        "sys.stdout.write(s.recv(65536).hex())\n"
    )
    reply = subprocess.run(["ip", "netns", "exec", A, sys.executable, "-c", program], capture_output=True, text=True, check=True)
    return bytes.fromhex(reply.stdout.strip()), request


def build_scene():
    sh(f"ip netns add {A}")
    sh(f"ip netns add {B}")
    n = f"ip -n {A}"
    sh(f"{n} link set lo up")
    # veth pair in one namespace, and one whose peer lives in nlfuzz-b (IFLA_LINK_NETNSID).
    sh(f"{n} link add va type veth peer name vb")
    sh(f"{n} link add vx type veth peer name vxp netns {B}")
    sh(f"{n} link set va mtu 1400")
    sh(f"{n} link set va alias 'netlab fuzz corpus'")
    # Parents for the macvlans: passthru needs a parent of its own.
    sh(f"{n} link add up0 type veth peer name up0p")
    sh(f"{n} link add up1 type veth peer name up1p")
    for mode in ("private", "vepa", "bridge"):
        sh(f"{n} link add link up0 name mv-{mode} type macvlan mode {mode}")
    # iproute2 keeps only the last "macaddr add" of one command, so each further source MAC is its own change.
    sh(f"{n} link add link up0 name mv-source type macvlan mode source macaddr add 02:00:00:00:00:aa")
    sh(f"{n} link set mv-source type macvlan macaddr add 02:00:00:00:00:bb")
    sh(f"{n} link set mv-source type macvlan macaddr add 02:00:00:00:00:cc")
    sh(f"{n} link add link up1 name mv-passthru type macvlan mode passthru nopromisc")
    sh(f"{n} link add link up0 name mvt0 type macvtap mode bridge")
    # A bridge with two ports, hairpin on one of them.
    sh(f"{n} link add br0 type bridge")
    sh(f"{n} link add bp0 type veth peer name bp0p")
    sh(f"{n} link add bp1 type veth peer name bp1p")
    sh(f"{n} link set bp0 master br0")
    sh(f"{n} link set bp1 master br0")
    sh(f"{n} link set dev bp0 type bridge_slave hairpin on")
    # vxlan over IPv4 and IPv6, and an ifb (a kind NetLab does not model).
    sh(f"{n} link add vxl4 type vxlan id 42 dstport 4789 local 10.1.0.1 group 239.1.1.1 dev va")
    sh(f"{n} link add vxl6 type vxlan id 4242 dstport 4789 local fd00:1::1 group ff05::100 dev va")
    sh(f"{n} link add ifb0 type ifb")
    for dev in ("va", "vb", "vx", "up0", "up0p", "up1", "up1p", "br0", "bp0", "bp0p", "bp1", "bp1p",
                "mv-private", "mv-vepa", "mv-bridge", "mv-source", "mv-passthru", "mvt0", "vxl4"):
        sh(f"{n} link set {dev} up")
    sh(f"ip -n {B} link set lo up")
    sh(f"ip -n {B} link set vxp up")
    # Addresses: primary and labelled secondary IPv4, a point-to-point peer, IPv6 with and without DAD.
    sh(f"{n} addr add 10.1.0.1/24 dev va")
    sh(f"{n} addr add 10.1.0.2/24 dev va label va:sec")
    sh(f"{n} addr add fd00:1::1/64 dev va nodad")
    sh(f"{n} addr add 10.9.0.1 peer 10.9.0.2/32 dev vb")
    sh(f"{n} addr add 192.168.77.1/24 brd + dev br0")
    sh(f"{n} addr add fd00:77::1/64 dev br0 nodad")
    sh(f"{n} addr add 172.16.0.1/12 dev mv-bridge")
    sh(f"{n} addr add 2001:db8::5/128 dev mv-bridge nodad")
    sh(f"ip -n {B} addr add 10.2.0.2/30 dev vxp")
    sh(f"ip -n {B} addr add fd00:2::2/64 dev vxp nodad")
    time.sleep(2)  # let the link-local addresses appear


def main():
    if os.geteuid() != 0:
        sys.exit("run as root")
    cleanup()
    captures = []
    try:
        build_scene()

        def add(name, command, namespace, argv, output_is_json, expect_failure=False, background=None):
            datagrams, stdout, stderr, code = strace(argv, background)
            if (code != 0) != expect_failure:
                raise RuntimeError(f"{command}: exit code {code}, stderr {stderr.strip()}")
            if not datagrams:
                raise RuntimeError(f"{command}: no datagrams captured")
            entry = {
                "name": name,
                "command": command,
                "namespace": namespace,
                "run_as": " ".join(argv),
                "exit_code": code,
                "ip_stderr": stderr.strip() or None,
                "ip_output": json.loads(stdout) if output_is_json else (stdout.strip() or None),
                "datagrams": [d.hex() for d in datagrams],
            }
            captures.append(entry)

        add("link-dump-a", "ip -j -d -s link show", A, ["ip", "-n", A, "-j", "-d", "-s", "link", "show"], True)
        add("link-dump-b", "ip -j -d -s link show", B, ["ip", "-n", B, "-j", "-d", "-s", "link", "show"], True)
        add("addr-dump-a", "ip -j addr show", A, ["ip", "-n", A, "-j", "addr", "show"], True)
        add("addr-dump-b", "ip -j addr show", B, ["ip", "-n", B, "-j", "addr", "show"], True)
        add("link-get-mv-source", "ip -j -d link show dev mv-source", A,
            ["ip", "-n", A, "-j", "-d", "link", "show", "dev", "mv-source"], True)
        add("error-unknown-kind", "ip link add x link va type vlan id 888", A,
            ["ip", "-n", A, "link", "add", "x", "link", "va", "type", "vlan", "id", "888"], False, expect_failure=True)
        add("error-mtu-too-small", "ip link set dev va mtu 10", A,
            ["ip", "-n", A, "link", "set", "dev", "va", "mtu", "10"], False, expect_failure=True)
        add("error-exists", "ip link add br0 type bridge", A,
            ["ip", "-n", A, "link", "add", "br0", "type", "bridge"], False, expect_failure=True)

        def changes():
            time.sleep(1.5)
            n = f"ip -n {A}"
            sh(f"{n} link add ev0 type veth peer name ev0p")
            sh(f"{n} link set ev0 up")
            sh(f"{n} addr add 10.5.0.1/24 dev ev0")
            sh(f"{n} addr add fd00:5::1/64 dev ev0 nodad")
            sh(f"{n} addr del 10.5.0.1/24 dev ev0")
            sh(f"{n} link set ev0 down")
            sh(f"{n} link del ev0")

        add("events-a", "ip monitor link address (while ev0 is added, addressed, and deleted)", A,
            ["timeout", "-s", "INT", "5", "ip", "-n", A, "monitor", "link", "address"], False,
            expect_failure=True, background=changes)

        reply, request = capped_error_reply()
        captures.append({
            "name": "error-capped-unknown-kind",
            "command": "RTM_NEWLINK name nlfuzz-x kind vlan, on a socket with NETLINK_EXT_ACK and NETLINK_CAP_ACK",
            "namespace": A,
            "run_as": "python3 socket (see capture-kernel-replies.py); request " + request.hex(),
            "exit_code": None,
            "ip_stderr": None,
            "ip_output": None,
            "datagrams": [reply.hex()],
        })

        netnsid = sh(f"ip -n {A} netns list-id").strip()
        document = {
            "kernel": os.uname().release,
            "iproute2": sh("ip -V").strip(),
            "strace": sh("strace -V").splitlines()[0],
            "captured": datetime.date.today().isoformat(),
            "netns_ids_in_nlfuzz_a": netnsid,
            "captures": captures,
        }
        with open(OUTPUT, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2)
            out.write("\n")
        print(f"wrote {OUTPUT}: {len(captures)} captures, {sum(len(c['datagrams']) for c in captures)} datagrams")
    finally:
        cleanup()
        left = [ns for ns in sh("ip netns list", check=False).split() if ns.startswith("nlfuzz-")]
        if left:
            print(f"WARNING: namespaces left behind: {left}", file=sys.stderr)


if __name__ == "__main__":
    main()
