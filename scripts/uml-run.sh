#!/usr/bin/env bash
# uml-run.sh - run one command inside Debian's user-mode Linux kernel (UML).
#
# Usage:
#   scripts/uml-run.sh [--timeout SECONDS] [--mem SIZE] [--env NAME=VALUE]...
#                      [--modules "MOD ..."] OUTDIR -- COMMAND [ARGS...]
#
# Why: the host kernel lacks 802.1Q/802.1ad vlan, dummy, ipvlan, bond, ...
# (docs/testing.md). linux.uml (Linux 6.1, package user-mode-linux) has them
# as modules. It runs as an ordinary host process with the host's / as its root
# file system (hostfs, read-write), so the host's binaries, the .NET runtime and
# the build output run inside it unchanged. The guest has its own kernel: its own
# network stack (only `lo`, no host networking: no eth=/vec= devices are ever
# given), its own namespaces, process table and mounts.
#
# What the guest gets (an init script generated per run):
#   /proc, /sys, /dev (devtmpfs, mounted by the kernel itself), /dev/pts,
#   /dev/shm (tmpfs), /dev/fd|stdin|stdout|stderr links; /run is a guest tmpfs
#   (so `ip netns add` puts /run/netns/NAME in guest memory, never on the host
#   disk, and `ip netns` does its own mount --make-shared there); /run/tmp is a
#   tmpfs and TMPDIR points at it.
#   /tmp is NOT a tmpfs in the guest: it is the host's /tmp through hostfs, so an
#   OUTDIR or test binaries under /tmp are reachable. TMPDIR still points at the
#   guest-private /run/tmp because guest PIDs are small and the same in every
#   guest: .NET names its diagnostic sockets and debug pipes after the PID
#   (dotnet-diagnostic-PID-*, clr-debug-pipe-PID-*), so two guests sharing the
#   host's /tmp would collide and leave files behind.
#   Modules preloaded: 8021q veth dummy ipvlan macvlan macvtap bridge vxlan tun
#   (+ --modules; ipv6 comes in as their dependency). Any other module is loaded
#   on demand by the kernel (kernel.modprobe points at a wrapper that runs
#   `modprobe -d` on the UML module tree), e.g. `ip link add b0 type bond` or
#   `tc qdisc add ... netem`. `lo` is up; hostname is "uml".
#   The command runs as guest root (PID != 1; init reaps orphans) in the
#   caller's current directory (or / if that is under /proc /sys /dev /run),
#   stdin /dev/null, with only this environment: PATH (the caller's, plus the
#   sbin dirs), HOME (the caller's), USER=LOGNAME=root, LANG (the caller's, or
#   C.UTF-8), TERM=dumb, NO_COLOR=1, TMPDIR=/run/tmp, DOTNET_CLI_TELEMETRY_OPTOUT=1,
#   DOTNET_NOLOGO=1, NETLAB_UML=1 (lets a test tell it is in the guest),
#   DOTNET_ROOT (if the caller has it); then each --env NAME=VALUE (overrides).
#
# OUTDIR (created if missing) is a HOST path, written by the guest through
# hostfs; it must not be under what the guest mounts over (/proc /sys /dev /run),
# and is refused if it is. Results:
#   OUTDIR/stdout, OUTDIR/stderr  the command's output (printed again by this
#                                 script: all stdout, then all stderr)
#   OUTDIR/exitcode               the command's exit code (written after it ends)
#   OUTDIR/kernel                 the guest's `uname -r` (6.1.x)
#   OUTDIR/console.log            the UML console: kernel log + "uml-init[uptime]:"
#                                 lines (mounted / modules loaded / running command)
#   OUTDIR/timing                 guest uptime at command start and end; host wall
# Other files in OUTDIR are left alone (the command may write its own there).
#
# Exit status: the command's; 124 if --timeout (default 600 s, counted from
# the start of boot) ran out: UML is killed; 125 if the guest ended without
# writing an exit code (a kernel panic, a poweroff by the command...); 2 on a
# usage error. OUTDIR/exitcode tells a command's own 2/124/125 from these.
# On 124/125 the end of console.log is shown on stderr. SIGINT/SIGTERM/SIGHUP
# to this script kill UML and clean up.
#
# Runs in parallel do not interfere: each has its own mktemp dir (init script,
# argv/env, module-tree symlink, UML's uml_dir with a unique umid, removed at
# the end, also on timeout or signal), its own guest kernel, /run, /run/tmp and
# /dev/shm. UML's "physical memory" is an unlinked file in the host's /dev/shm
# (only the pages the guest touches use host memory). ~/.uml is not used.
#
# Timings (2-core dev machine, idle host): boot to command start ~2.3 s (kernel
# 1.3 s, mounts 0.3 s, modules 0.8 s), halt ~0.5 s: `true` takes ~2.9 s wall.
# Each process started in the guest costs ~50 ms (/bin/true) to ~250 ms (`ip`,
# tcpdump more), because UML traps every syscall and page fault with ptrace:
# prefer `ip -batch` or netlink from the test process over many `ip` runs. A
# .NET hello world takes ~1.2 s warm, 3-4 s on the first start in a fresh guest
# (cold page cache). All of it is several times slower when the host is busy.
#
# Pitfalls:
# - hostfs is read-write and the guest is root: the command can change or delete
#   HOST files. The guest isolates the kernel (network, namespaces, modules),
#   not the file system.
#   hostfs checks access as the host user running UML (root here), whatever the
#   guest user; files a guest user creates get that uid on the host (tcpdump -w
#   into OUTDIR leaves a file owned by user tcpdump: use -Z root, or $TMPDIR).
# - tcpdump -w stopped by a signal can lose every packet (they wait in the
#   TPACKET_V3 ring for its 1 s block timeout): use --immediate-mode, or -c N.
# - The console has no stdin; nothing in the guest can be interactive.
#
# Environment knobs: UML_RUN_TMPDIR (where the per-run temp dir goes; default
# /tmp; must be reachable from the guest), UML_LINUX (default linux.uml),
# UML_MODULES_DIR (default /usr/lib/uml/modules).
set -euo pipefail

prog=${0##*/}
die_usage() { echo "$prog: $*" >&2; echo "usage: $prog [--timeout SECONDS] [--mem SIZE] [--env NAME=VALUE]... [--modules \"MOD ...\"] OUTDIR -- COMMAND [ARGS...]" >&2; exit 2; }

timeout_s=600
mem=1G
extra_env=()
extra_modules=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --timeout) [[ $# -ge 2 ]] || die_usage "--timeout needs a value"; timeout_s=$2; shift 2 ;;
        --timeout=*) timeout_s=${1#*=}; shift ;;
        --mem) [[ $# -ge 2 ]] || die_usage "--mem needs a value"; mem=$2; shift 2 ;;
        --mem=*) mem=${1#*=}; shift ;;
        --env) [[ $# -ge 2 ]] || die_usage "--env needs NAME=VALUE"; extra_env+=("$2"); shift 2 ;;
        --env=*) extra_env+=("${1#*=}"); shift ;;
        --modules) [[ $# -ge 2 ]] || die_usage "--modules needs a list"; extra_modules+=" $2"; shift 2 ;;
        --modules=*) extra_modules+=" ${1#*=}"; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        --) die_usage "OUTDIR missing" ;;
        -*) die_usage "unknown option $1" ;;
        *) break ;;
    esac
done
[[ $# -ge 1 ]] || die_usage "OUTDIR missing"
outdir_arg=$1; shift
[[ $# -ge 1 && $1 == -- ]] || die_usage "expected -- after OUTDIR"
shift
[[ $# -ge 1 ]] || die_usage "COMMAND missing"
[[ $timeout_s =~ ^[0-9]+$ && $timeout_s -gt 0 ]] || die_usage "--timeout must be a positive integer (seconds)"
[[ $mem =~ ^[0-9]+[kKmMgG]?$ ]] || die_usage "--mem must look like 512M or 1G"
for e in "${extra_env[@]}"; do
    [[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die_usage "--env wants NAME=VALUE, got '$e'"
done
[[ $extra_modules =~ ^[A-Za-z0-9_,\ -]*$ ]] || die_usage "--modules: bad module name in '$extra_modules'"
extra_modules=${extra_modules//,/ }

uml_linux=${UML_LINUX:-linux.uml}
uml_modules_dir=${UML_MODULES_DIR:-/usr/lib/uml/modules}
command -v "$uml_linux" >/dev/null || { echo "$prog: $uml_linux not found (apt-get install user-mode-linux kmod)" >&2; exit 2; }
command -v modprobe >/dev/null || [[ -x /usr/sbin/modprobe || -x /sbin/modprobe ]] || { echo "$prog: modprobe not found (apt-get install kmod)" >&2; exit 2; }
[[ -d $uml_modules_dir ]] || { echo "$prog: $uml_modules_dir missing (apt-get install user-mode-linux)" >&2; exit 2; }

# Paths the guest mounts over: anything below them is invisible to the guest.
guest_hidden() {
    case $1/ in /proc/*|/sys/*|/dev/*|/run/*|/var/run/*) return 0 ;; esac
    return 1
}

outdir=$(realpath -m -- "$outdir_arg")
if guest_hidden "$outdir"; then
    echo "$prog: OUTDIR $outdir is under /proc, /sys, /dev or /run, which the guest mounts over; use a path on the host disk (e.g. under /tmp)" >&2
    exit 2
fi
mkdir -p -- "$outdir"
outdir=$(realpath -e -- "$outdir")
rm -f -- "$outdir/stdout" "$outdir/stderr" "$outdir/exitcode" "$outdir/exitcode.tmp" \
         "$outdir/kernel" "$outdir/console.log" "$outdir/timing"

tmp_base=${UML_RUN_TMPDIR:-/tmp}
tmp_base=$(realpath -e -- "$tmp_base")
guest_hidden "$tmp_base" && { echo "$prog: UML_RUN_TMPDIR $tmp_base is not reachable from the guest" >&2; exit 2; }
rundir=$(mktemp -d "$tmp_base/uml-run.XXXXXXXX")
job_pid=""   # background subshell that runs UML and records its exit status
uml_pgid=""  # UML's process group (setsid), read from $rundir/uml.pid

kill_uml() {
    [[ -z $uml_pgid && -s $rundir/uml.pid ]] && uml_pgid=$(<"$rundir/uml.pid")
    if [[ -n $uml_pgid ]]; then
        kill -KILL -- "-$uml_pgid" 2>/dev/null || true
    fi
}
# shellcheck disable=SC2317  # (called from the EXIT trap)
cleanup() {
    if [[ -n $job_pid ]]; then
        # the job may not have written uml.pid yet: retry briefly
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill_uml
            [[ -n $uml_pgid ]] && break
            kill -0 "$job_pid" 2>/dev/null || break
            sleep 0.1
        done
        wait "$job_pid" 2>/dev/null || true
    fi
    rm -rf -- "$rundir"
}
trap cleanup EXIT
trap 'echo "$prog: interrupted, killing UML" >&2; exit 130' INT
trap 'echo "$prog: terminated, killing UML" >&2; exit 143' TERM
trap 'echo "$prog: hangup, killing UML" >&2; exit 129' HUP

# Module tree as modprobe -d wants it: ROOT/lib/modules/$(uname -r).
mkdir -p "$rundir/modroot/lib" "$rundir/uml"
ln -s "$uml_modules_dir" "$rundir/modroot/lib/modules"

# argv and environment, NUL-separated (any bytes but NUL survive).
printf '%s\0' "$@" >"$rundir/argv"
guest_path=${PATH:-/usr/local/bin:/usr/bin:/bin}
for d in /usr/local/sbin /usr/sbin /sbin; do
    case :$guest_path: in *:$d:*) ;; *) guest_path=$d:$guest_path ;; esac
done
env_list=(
    "PATH=$guest_path"
    "HOME=${HOME:-/root}"
    "USER=root" "LOGNAME=root"
    "LANG=${LANG:-C.UTF-8}"
    "TERM=dumb"
    "TMPDIR=/run/tmp"
    "DOTNET_CLI_TELEMETRY_OPTOUT=1"
    "DOTNET_NOLOGO=1"
    "NETLAB_UML=1"
    "NO_COLOR=1"
)
[[ -n ${DOTNET_ROOT:-} ]] && env_list+=("DOTNET_ROOT=$DOTNET_ROOT")
env_list+=("${extra_env[@]}")
printf '%s\0' "${env_list[@]}" >"$rundir/env"

cwd=$PWD
guest_hidden "$cwd" && cwd=/
modules="8021q veth dummy ipvlan macvlan macvtap bridge vxlan tun$extra_modules"

# Guest mounts, done by one `mount -a` (every exec costs ~50-100 ms in UML).
# /dev is devtmpfs, mounted by the kernel itself (CONFIG_DEVTMPFS_MOUNT); the
# line is there in case a kernel does not. /tmp is deliberately left alone.
cat >"$rundir/fstab" <<'FSTAB'
proc     /proc     proc     nosuid,nodev,noexec                    0 0
sysfs    /sys      sysfs    nosuid,nodev,noexec                    0 0
devtmpfs /dev      devtmpfs mode=755,nosuid                        0 0
devpts   /dev/pts  devpts   gid=5,mode=620,ptmxmode=666,X-mount.mkdir 0 0
tmpfs    /dev/shm  tmpfs    mode=1777,nosuid,nodev,X-mount.mkdir   0 0
tmpfs    /run      tmpfs    mode=755,nosuid,nodev                  0 0
tmpfs    /run/tmp  tmpfs    mode=1777,nosuid,nodev,X-mount.mkdir   0 0
FSTAB
# /dev/fd, stdin, stdout, stderr (devtmpfs has none), copied in by one cp.
mkdir "$rundir/devlinks"
ln -s /proc/self/fd "$rundir/devlinks/fd"
ln -s /proc/self/fd/0 "$rundir/devlinks/stdin"
ln -s /proc/self/fd/1 "$rundir/devlinks/stdout"
ln -s /proc/self/fd/2 "$rundir/devlinks/stderr"
# The kernel's module autoloader (request_module, e.g. for `type netem`) runs
# /proc/sys/kernel/modprobe: point it at the UML module tree too.
printf '#!/bin/sh\nexec modprobe -d %q "$@"\n' "$rundir/modroot" >"$rundir/modprobe"
chmod 755 "$rundir/modprobe"

# The guest's init (PID 1). It must always end in a halt; a failing step is
# logged to the console and does not stop the command from running.
{
    echo '#!/bin/bash'
    printf 'RUNDIR=%q\nOUT=%q\nCWD=%q\nMODULES=%q\nWATCHDOG=%q\n' "$rundir" "$outdir" "$cwd" "$modules" $((timeout_s + 30))
    cat <<'INIT'
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
log() { read -r up _ </proc/uptime 2>/dev/null; echo "uml-init[$up]: $*"; }
halt_now() {
    sync
    halt -f >/dev/null 2>&1
    echo o >/proc/sysrq-trigger   # fallback if halt (systemctl) is missing
    sleep 1; log "could not halt"; while :; do sleep 3600; done
}
trap halt_now EXIT
set +e
mount -a -T "$RUNDIR/fstab" || log "mount -a failed"
# If the host script dies (SIGKILL) nobody enforces the timeout: power off then.
( sleep "$WATCHDOG"; log "watchdog: ${WATCHDOG}s passed, powering off"; echo o >/proc/sysrq-trigger ) &
cp -a "$RUNDIR/devlinks/." /dev/ || log "/dev links failed"
echo uml >/proc/sys/kernel/hostname
echo "$RUNDIR/modprobe" >/proc/sys/kernel/modprobe
read -r kernel </proc/sys/kernel/osrelease
echo "$kernel" >"$OUT/kernel"
log "mounted"
modprobe -a -d "$RUNDIR/modroot" $MODULES || log "modprobe -a $MODULES failed"
log "modules loaded"
ip link set lo up || log "ip link set lo up failed"
mapfile -d '' -t ARGV <"$RUNDIR/argv"
mapfile -d '' -t ENVV <"$RUNDIR/env"
cd "$CWD" 2>/dev/null || cd /
read -r t0 _ </proc/uptime
log "running command"
(
    for v in $(compgen -e); do unset "$v"; done
    for kv in "${ENVV[@]}"; do export "$kv"; done
    exec "${ARGV[@]}"
) </dev/null >"$OUT/stdout" 2>"$OUT/stderr"
rc=$?
read -r t1 _ </proc/uptime
printf 'guest_uptime_at_command_start_s=%s\nguest_uptime_at_command_end_s=%s\n' "$t0" "$t1" >"$OUT/timing"
echo "$rc" >"$OUT/exitcode.tmp" && mv -f "$OUT/exitcode.tmp" "$OUT/exitcode"
log "command exited with $rc"
INIT
} >"$rundir/init"
chmod 755 "$rundir/init"

umid="uml-run-$$-${rundir##*.}"
# UML keeps its "physical memory" in an unlinked file in $TMPDIR or /dev/shm:
# make sure it is a tmpfs, never the caller's disk-backed TMPDIR.
# (If /dev/shm is missing or smaller than --mem, e.g. a container's 64 MiB,
# the guest would die of SIGBUS: fall back to /tmp, which works but is slower.)
mem_bytes=${mem%[kKmMgG]}
case $mem in *[kK]) mem_bytes=$((mem_bytes << 10)) ;; *[mM]) mem_bytes=$((mem_bytes << 20)) ;; *[gG]) mem_bytes=$((mem_bytes << 30)) ;; esac
shm_avail=$(df -P -B1 /dev/shm 2>/dev/null | awk 'NR==2 {print $4}')
if [[ -d /dev/shm && -w /dev/shm && ${shm_avail:-0} -gt $mem_bytes ]]; then
    uml_env=(env TMPDIR=/dev/shm)
else
    echo "$prog: warning: /dev/shm has less than $mem free; UML memory goes to /tmp" >&2
    uml_env=(env TMPDIR=/tmp)
fi

start_ns=$(date +%s%N)
# setsid: UML and all its helper processes form one process group we can kill.
# (A background job of a non-interactive shell is no group leader, so setsid
# does not fork: $! is UML's pid and its process group id.)
# The subshell keeps UML's exit status (and a crash message from bash, if any)
# out of this script's stderr. The kernel's unknown parameters (mem=,
# uml_dir=...) only reach init's environment, which the command never sees.
(
    cd /
    setsid "${uml_env[@]}" "$uml_linux" \
        mem="$mem" root=/dev/root rootfstype=hostfs rootflags=/ rw \
        init="$rundir/init" umid="$umid" uml_dir="$rundir/uml" \
        con=null con0=fd:0,fd:1 ssl=null \
        printk.time=1 pty.legacy_count=0 zswap.enabled=0 noreboot panic=-1 \
        </dev/null &
    echo "$!" >"$rundir/uml.pid.tmp" && mv "$rundir/uml.pid.tmp" "$rundir/uml.pid"
    rc=0; wait "$!" || rc=$?   # (set -e is inherited)
    echo "$rc" >"$rundir/uml.rc"
) >"$outdir/console.log" 2>&1 &
job_pid=$!

timed_out=0
deadline_ns=$(( start_ns + timeout_s * 1000000000 ))
while [[ ! -e $rundir/uml.rc ]] && kill -0 "$job_pid" 2>/dev/null; do
    if (( $(date +%s%N) >= deadline_ns )); then
        timed_out=1
        kill_uml
        break
    fi
    sleep 0.1
done
wait "$job_pid" 2>/dev/null || true
job_pid=""
# UML's helper processes die with it; make sure of it.
kill_uml
uml_rc=$(cat "$rundir/uml.rc" 2>/dev/null || echo '?')
end_ns=$(date +%s%N)
wall_ms=$(( (end_ns - start_ns) / 1000000 ))
[[ -f $outdir/timing ]] && printf 'host_wall_s=%d.%03d\n' $((wall_ms / 1000)) $((wall_ms % 1000)) >>"$outdir/timing"

[[ -f $outdir/stdout ]] && cat -- "$outdir/stdout"
[[ -f $outdir/stderr ]] && cat -- "$outdir/stderr" >&2

if [[ -s $outdir/exitcode ]]; then
    rc=$(<"$outdir/exitcode")
    if (( timed_out )); then
        echo "$prog: warning: the command ended (exit code $rc) but the guest did not halt within ${timeout_s}s; UML was killed (console: $outdir/console.log)" >&2
    fi
    exit "$rc"
fi
console_tail() {
    echo "$prog: last lines of $outdir/console.log:" >&2
    tail -n 15 -- "$outdir/console.log" 2>/dev/null | sed 's/^/  | /' >&2
}
if (( timed_out )); then
    echo "$prog: timeout: the command did not finish within ${timeout_s}s; UML was killed (console: $outdir/console.log)" >&2
    console_tail
    exit 124
fi
echo "$prog: the guest ended (linux.uml exit status $uml_rc) without writing an exit code for the command; see the UML console log $outdir/console.log" >&2
console_tail
exit 125
