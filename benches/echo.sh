#!/usr/bin/env bash
# echo-server / echo-client on loopback, release build, side by side with
# peers on this machine:
#  1. 1 GiB echoed and verified: the netkit pair (20 runs, each under a 60 s
#     timeout, counting hangs and retransmitted segments), the pair with
#     the system's congestion control (5 runs), socat TCP-LISTEN,fork
#     EXEC:cat with the system's algorithm and with Reno (3 runs each), and
#     iperf2 --full-duplex on one socket as the kernel's reference;
#  2. 1,000 connections x 100 round trips of 64 bytes: netkit pair vs the
#     minimal blocking C pair in benches/echo_pair.c (3 runs each), and the
#     same shape from one io_uring thread (benches/echo_uring.c, liburing)
#     against the netkit server;
#  3. 1-byte round-trip p50: netkit pair vs the C pair, interleaved, 5 runs;
#  4. UDP 64-byte round-trip p50 against the same C server: netkit client
#     vs the C client (both read the clock before sending), interleaved;
#  5. server RSS holding 10,000 idle connections.
# Needs cc, socat, iperf (2), nstat and python3 (installed from Debian if
# missing and root).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in socat cc python3 taskset iperf nstat; do
    case $tool in cc) pkg=gcc ;; nstat) pkg=iproute2 ;; *) pkg=$tool ;; esac
    command -v "$tool" >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg"; }
done
cargo build --release --locked -q
NK=$PWD/target/release/netkit
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
cc -O2 -pthread -o "$work/echo_pair" benches/echo_pair.c
# The io_uring experiment (benches/echo_uring.c) needs liburing.
[ -e /usr/include/liburing.h ] || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq liburing-dev >/dev/null; } || true
uring=""
cc -O2 -o "$work/echo_uring" benches/echo_uring.c -luring 2>/dev/null && uring="$work/echo_uring"
ulimit -n "$(ulimit -Hn)"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { python3 -c 'import json,sys; d=json.loads(sys.stdin.read().splitlines()[-1]); v=d
for k in sys.argv[1].split("."): v=v[k]
print(v)' "$1"; }

NP=$(port); "$NK" echo-server --port "$NP" --nodelay > /dev/null & pids+=($!)
NS=$(port); "$NK" echo-server --port "$NS" --nodelay --congestion system > /dev/null & pids+=($!)
SP=$(port); socat TCP-LISTEN:"$SP",reuseaddr,fork EXEC:cat & pids+=($!)
# socat with Reno on its listener (IPPROTO_TCP=6, TCP_CONGESTION=13), like netkit's default.
SR=$(port); socat TCP-LISTEN:"$SR",reuseaddr,fork,setsockopt-string=6:13:reno EXEC:cat & pids+=($!)
IP=$(port); iperf -s -p "$IP" > /dev/null 2>&1 & pids+=($!)
IR=$(port); iperf -s -p "$IR" -Z reno > /dev/null 2>&1 & pids+=($!)
CP=$(port); "$work/echo_pair" server "$CP" & pids+=($!)
UP=$(port); "$work/echo_pair" udpserver "$UP" & pids+=($!)
sleep 0.5
echo "TCP congestion control: system default $(cat /proc/sys/net/ipv4/tcp_congestion_control); netkit's default on loopback: reno (--congestion auto)"

# Retransmitted segments, machine-wide (read-only), around one run.
retrans() { nstat -az TcpRetransSegs 2>/dev/null | awk '/TcpRetransSegs/ {print $2}'; }
# one_gib LABEL PORT [client flags...]: one verified 1 GiB echo; records
# bytes/s and retransmissions, tells a failed run from a hang.
hangs=0
failed=0
one_gib() {
    local label=$1 port=$2 rc=0 out r0
    shift 2
    r0=$(retrans)
    out=$(timeout 60 "$NK" --json echo-client --bytes 1G "$@" "127.0.0.1:$port" 2> "$work/tp_err") || rc=$?
    if [ "$rc" = 0 ]; then
        echo "$out" | field bytes_per_s >> "$work/tp_$label"
        echo $(( $(retrans) - r0 )) >> "$work/rt_$label"
        [ "$(echo "$out" | field bytes_received)" = 1073741824 ] || { echo "$label: short or corrupt"; exit 1; }
    elif [ "$rc" = 124 ]; then
        hangs=$((hangs + 1))
        echo "$label: no end in 60 s"
    else
        # A failed run is not a hang: say what failed.
        failed=$((failed + 1))
        echo "$label: exit $rc: $(tail -1 "$work/tp_err") $(echo "$out" | tail -1 | cut -c1-300)"
    fi
}
for i in $(seq 20); do
    one_gib nk "$NP"
    # Every fourth run: the same pair with the system's algorithm on both ends.
    [ $((i % 4)) != 0 ] || one_gib nk_system "$NS" --congestion system
done
for i in 1 2 3; do
    one_gib socat "$SP" --timeout 20s --congestion system
    one_gib socat_reno "$SR" --timeout 20s
done
python3 - "$work" "$hangs" "$failed" <<'PY'
import statistics, sys
work, hangs, failed = sys.argv[1:]
def col(name):
    try:
        return [float(x) for x in open(f"{work}/{name}")]
    except OSError:
        return [0.0]
def line(label, name):
    tp, rt = col("tp_" + name), col("rt_" + name)
    return (f"  {label}: median {statistics.median(tp)/1e6:.0f} MB/s (min {min(tp)/1e6:.0f}, max {max(tp)/1e6:.0f}, {len(tp)} runs), "
            f"retransmitted segments per run: median {statistics.median(rt):.0f}")
nk = statistics.median(col("tp_nk"))
print(f"1 GiB echoed and verified ({hangs} hangs, {failed} failed):")
print(line("netkit pair, default (reno on loopback)", "nk"))
print(line("netkit pair, --congestion system on both ends", "nk_system"))
print(line("socat fork EXEC:cat, system algorithm", "socat"))
print(line("socat fork EXEC:cat, reno", "socat_reno"))
print(f"  ratios: netkit default / socat (system) {nk/statistics.median(col('tp_socat')):.2f}x, "
      f"/ socat (reno) {nk/statistics.median(col('tp_socat_reno')):.2f}x, "
      f"/ netkit --congestion system {nk/statistics.median(col('tp_nk_system')):.2f}x")
PY
# iperf2 (no verification, copies from user memory) on one socket in both
# directions at once, the echo's load on the kernel: per-direction MB/s.
for cc in system reno; do
    port=$IP; flags=()
    [ "$cc" = system ] || { port=$IR; flags=(-Z reno); }
    for i in 1 2 3; do
        iperf -c 127.0.0.1 -p "$port" "${flags[@]}" --full-duplex -t 2 -f m 2>/dev/null \
            | awk '/SUM/ {for (i = 1; i < NF; i++) if ($(i+1) == "MBytes") print $i}' >> "$work/iperf_$cc"
    done
done
python3 - "$work" <<'PY'
import statistics, sys
for cc in ("system", "reno"):
    v = [float(x) for x in open(f"{sys.argv[1]}/iperf_{cc}")] or [0.0]
    # SUM is both directions over 2 s, in MBytes (2^20).
    print(f"  iperf2 --full-duplex, one socket, {cc}: {statistics.median(v) * 2**20 / 2 / 2 / 1e6:.0f} MB/s each way (median of 3)")
PY

for i in 1 2 3; do
    "$NK" --json echo-client --connections 1000 --count 100 --interval 0 "127.0.0.1:$NP" | field duration_ms >> "$work/nk_load"
    "$work/echo_pair" load "$CP" 1000 100 >> "$work/c_load"
    [ -z "$uring" ] || "$uring" "$NP" 1000 100 >> "$work/uring_load"
done
echo "1,000 connections x 100 round trips of 64 bytes: netkit $(median < "$work/nk_load" | cut -d. -f1) ms," \
     "minimal blocking C pair $(median < "$work/c_load" | cut -d. -f1) ms (medians of 3)"
[ -z "$uring" ] || echo "  the same shape from one io_uring thread (benches/echo_uring.c) against the netkit server: $(median < "$work/uring_load" | cut -d. -f1) ms"

for i in 1 2 3 4 5; do
    "$NK" --json echo-client --count 20000 --interval 0 --size 1 "127.0.0.1:$NP" | field rtt.p50_ms >> "$work/nk_rtt"
    "$work/echo_pair" rtt "$CP" 20000 >> "$work/c_rtt"
done
python3 - "$(median < "$work/nk_rtt")" "$(median < "$work/c_rtt")" <<'PY'
import sys
nk, c = float(sys.argv[1]), float(sys.argv[2])
print(f"1-byte round trip p50 (20,000 round trips, median of 5 interleaved runs): netkit {nk*1000:.1f} us, C pair {c*1000:.1f} us, ratio {nk/c:.2f}")
PY

# UDP: the C server pinned to CPU 0, each client pinned to CPU 1 (every
# reply wakes the client across CPUs, as between two hosts) or to CPU 0
# (server and client take turns on one CPU). Unpinned, the scheduler's
# placement moves p50 between these two for either client.
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
taskset -c 0 "$work/echo_pair" udpserver "$UP" & pids+=($!)
sleep 0.3
for cpu in 1 0; do
    for i in 1 2 3 4 5; do
        taskset -c "$cpu" "$NK" --json echo-client --udp --count 20000 --interval 0 "127.0.0.1:$UP" | field rtt.p50_ms >> "$work/nk_urtt$cpu"
        taskset -c "$cpu" "$work/echo_pair" udprtt "$UP" 20000 >> "$work/c_urtt$cpu"
    done
    python3 - "$(median < "$work/nk_urtt$cpu")" "$(median < "$work/c_urtt$cpu")" "$cpu" <<'PY'
import sys
nk, c = float(sys.argv[1]), float(sys.argv[2])
where = "client on the other CPU" if sys.argv[3] == "1" else "client on the server's CPU"
print(f"UDP 64-byte round trip p50 against the C server, {where} (20,000 round trips, median of 5 interleaved runs): netkit client {nk*1000:.1f} us (reported to the microsecond), C client {c*1000:.1f} us, ratio {nk/c:.2f}")
PY
done

python3 - "$NP" "$(pgrep -f "echo-server --port $NP" | head -1)" <<'PY'
import socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def rss():
    return next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS"))
base = rss()
conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(10000)]
time.sleep(1)
print(f"server RSS: {base} KiB before, {rss()} KiB holding 10,000 idle connections")
PY
