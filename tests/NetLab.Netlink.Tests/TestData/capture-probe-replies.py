#!/usr/bin/env python3
"""Captures real neighbour-table and route-lookup replies in probe-replies.json (see README.md, "probe-replies.json").

Run as root. Everything happens in two scratch namespaces, nltest-probecap-a and nltest-probecap-b, joined by one veth
pair; both are deleted at the end, also when something fails. The host's own interfaces are never touched. The strace
parsing is the one of capture-kernel-replies.py.
"""

import datetime
import importlib.util
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("capture_kernel_replies", os.path.join(HERE, "capture-kernel-replies.py"))
kernel_replies = importlib.util.module_from_spec(spec)
spec.loader.exec_module(kernel_replies)

A = "nltest-probecap-a"
B = "nltest-probecap-b"
OUTPUT = os.path.join(HERE, "probe-replies.json")
sh = kernel_replies.sh


def cleanup():
    for ns in (A, B):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def build_scene():
    sh(f"ip netns add {A}")
    sh(f"ip netns add {B}")
    sh(f"ip -n {A} link add va type veth peer name vb netns {B}")
    for ns, dev, v4, v6 in ((A, "va", "10.8.0.1/24", "fd00:8::1/64"), (B, "vb", "10.8.0.2/24", "fd00:8::2/64")):
        sh(f"ip -n {ns} link set lo up")
        sh(f"ip -n {ns} link set {dev} up")
        sh(f"ip -n {ns} addr add {v4} dev {dev}")
        sh(f"ip -n {ns} addr add {v6} dev {dev} nodad")
    time.sleep(1)
    # REACHABLE (v4 and v6), INCOMPLETE (nobody has 10.8.0.77), PERMANENT and STALE (set by hand).
    sh(f"ip netns exec {A} ping -c1 -W1 10.8.0.2")
    sh(f"ip netns exec {A} ping -c1 -W1 fd00:8::2")
    sh(f"ip netns exec {A} ping -c1 -W1 10.8.0.77", check=False)
    sh(f"ip -n {A} neigh add 10.8.0.9 lladdr 02:00:00:00:00:09 dev va")
    sh(f"ip -n {A} neigh add 10.8.0.10 lladdr 02:00:00:00:00:0a dev va nud stale")


def main():
    if os.geteuid() != 0:
        sys.exit("run as root")
    cleanup()
    captures = []
    try:
        build_scene()

        def add(name, command, argv, expect_failure=False):
            datagrams, stdout, stderr, code = kernel_replies.strace(argv)
            if (code != 0) != expect_failure:
                raise RuntimeError(f"{command}: exit code {code}, stderr {stderr.strip()}")
            captures.append({
                "name": name,
                "command": command,
                "namespace": A,
                "run_as": " ".join(argv),
                "exit_code": code,
                "ip_stderr": stderr.strip() or None,
                "ip_output": json.loads(stdout) if stdout.strip() else None,
                "datagrams": [d.hex() for d in datagrams],
            })

        # -s adds NDA_PROBES and the cache times to ip's output; the replies carry them either way.
        add("neigh-dump", "ip -j neigh show", ["ip", "-n", A, "-j", "neigh", "show"])
        add("route-get-v4", "ip -j route get 10.8.0.2", ["ip", "-n", A, "-j", "route", "get", "10.8.0.2"])
        add("route-get-local", "ip -j route get 10.8.0.1", ["ip", "-n", A, "-j", "route", "get", "10.8.0.1"])
        add("route-get-v6", "ip -j route get fd00:8::2", ["ip", "-n", A, "-j", "route", "get", "fd00:8::2"])
        add("route-get-unreachable", "ip route get 10.99.0.1", ["ip", "-n", A, "route", "get", "10.99.0.1"], expect_failure=True)
        links = json.loads(sh(f"ip -n {A} -j link show"))
        document = {
            "kernel": os.uname().release,
            "iproute2": sh("ip -V").strip(),
            "strace": sh("strace -V").splitlines()[0],
            "captured": datetime.date.today().isoformat(),
            "ifindex": {link["ifname"]: link["ifindex"] for link in links},
            "captures": captures,
        }
        with open(OUTPUT, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2)
            out.write("\n")
        print(f"wrote {OUTPUT}: {len(captures)} captures")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
