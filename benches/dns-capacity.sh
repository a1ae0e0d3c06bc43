#!/usr/bin/env bash
# A DNS batch near the server's capacity, side by side: nsd on 127.0.0.1
# (one server process, response rate limiting off) serves 20,000 names;
# 100,000 queries for them (each name five times) go through
#   netkit lookup --json -t A -f NAMES @127.0.0.1:5303   (default: 256 in flight)
#   netkit lookup ... --concurrency 100                   (dnsperf's outstanding)
#   dnsperf -q 100 -n 1                                   (no retries, no output)
# RUNS rounds (default 5), interleaved; per tool the median rate, the
# answers counted (netkit: JSON lines with "noerror", in input order), and
# netkit's median rate as a ratio of dnsperf's. All inside a private
# network namespace (only lo); nothing leaves the machine.
#
#   benches/dns-capacity.sh          # needs nsd, dnsperf (installed if root)
#   INSTR=1 benches/dns-capacity.sh  # also netkit's instructions per query
#                                    # (callgrind), steady where rates swing
#
# Measured here (2 shared cores, RUNS=7, 2026-12-07 evening), every query
# answered by every tool in every run; two runs an hour apart:
#   netkit (256 in flight)  130,224/s (0.69x dnsperf)   117,532/s (0.55x)
#   netkit (100 in flight)  132,648/s (0.70x)           140,296/s (0.66x)
#   dnsperf -q 100         189,299/s                   212,230/s
# The machine's speed swung by 2x within the hour, and single netkit runs
# by 30% within one set: compare ratios from one run only, and use INSTR=1
# for small changes. Callgrind, 5,000 queries: 251.8M instructions before
# the first round of this work, 148.0M after it, 124.0M after the second
# (plain names parsed and shown the short way, hand-written addresses,
# mimalloc's plain calls, one line buffer, no canonical data without
# --dnssec). The second round, in 30 alternated runs (medians): user time
# 0.520 -> 0.455 s, wall 0.790 -> 0.725 s per 100,000 queries. Earlier:
# 0.20-0.22x before the first session's work, 0.47x -> 0.61x over the
# first round. Third round (2026-12-07 night, RUNS=7 INSTR=1): 120.3M
# instructions (24,050 a query; strings scanned eight bytes at a time,
# netkit's own words unscanned); netkit 147,392/s (0.66x) and 148,374/s
# (0.67x) against dnsperf 222,722/s, all answered. Tried and measured in
# this round: rendering the JSON on a second thread (same rate, +25% CPU:
# with nsd on the other core, two cores are already busy). Later the same
# night: 116.9M instructions (23,384 a query: one stop wait per batch, the
# move to TCP delivered to waiting queries); 149,610/s (0.62x) and
# 153,253/s (0.64x) against dnsperf 240,758/s; side by side with the
# session's first build, 11 alternated runs: 143,701/s against 137,845/s
# (medians, 0.68x against 0.66x of dnsperf's 210,035/s).
# On the next session's machine (same kind: 2 shared AMD EPYC cores;
# 2026-12-07, RUNS=7 INSTR=1, the same build): 117.4M instructions
# (23,480 a query); netkit 171,181/s (0.97x) and 180,401/s (1.02x)
# against dnsperf 176,283/s, every query answered in every run. Per
# 100,000 queries there: netkit 0.18-0.21 s user + 0.31-0.34 s system,
# dnsperf 0.01-0.04 s user + 0.47-0.52 s system (both clients near one
# core each; on the earlier machine netkit took 0.39 s user + 0.25-0.30 s
# system and dnsperf 0.31-0.39 s system). The ratio follows what a system
# call costs against user work on the machine at hand: compare on one.
# A second set there, the session's last build: 171,912/s (0.98x) and
# 175,665/s (1.01x) against 174,621/s, 117.5M instructions.
set -euo pipefail
cd "$(dirname "$0")/.."
for pkg in nsd:nsd dnsperf:dnsperf dig:bind9-dnsutils; do
    command -v "${pkg%%:*}" >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkg#*:}"; }
done
cargo build --release --locked -q
NK=$PWD/target/release/netkit
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source benches/nsd-bulk.sh
nsd_bulk "$work" 20000 100000 A "    server-count: 1
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0"
cat > "$work/run.sh" <<'IN'
set -euo pipefail
cd "$1"; NK=$2; RUNS=${RUNS:-5}
ip link set lo up
nsd -d -c "$PWD/nsd.conf" > nsd.out 2>&1 &
until dig +time=1 +tries=1 -p 5303 @127.0.0.1 bulk.test SOA >/dev/null 2>&1; do sleep 0.05; done
now() { date +%s%N; }
for r in $(seq "$RUNS"); do
    for c in 256 100; do
        s=$(now); "$NK" lookup --json -t A --concurrency "$c" -f names @127.0.0.1:5303 > nk.json || true; e=$(now)
        ok=$(grep -c '"status":"noerror"' nk.json || true)
        echo "netkit-c$c $(( 100000 * 1000000000 / (e - s) )) $ok"
    done
    dnsperf -s 127.0.0.1 -p 5303 -d queries -n 1 -q 100 > perf.out 2>&1 || true
    qps=$(awk '/Queries per second/ {printf "%d", $4}' perf.out)
    done_=$(awk '/Queries completed/ {print $3}' perf.out)
    echo "dnsperf $qps $done_"
done > results
# Instructions per query (INSTR=1, needs valgrind): the first 5,000 names
# under callgrind. Unlike the rates, this holds on a noisy machine (about
# +-0.5% run to run), so it shows changes of a few per cent. Here, now:
# 124.0M for 5,000 queries, 24,804 per query.
if [ "${INSTR:-0}" = 1 ] && command -v valgrind >/dev/null 2>&1; then
    head -5000 names > names5k
    for r in 1 2 3; do
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$NK" lookup --json -t A -f names5k @127.0.0.1:5303 2>&1 >/dev/null |
            sed -n 's/.*Collected : \([0-9]*\).*/instructions \1/p'
    done > instr
fi
kill %1
if [ -s instr ]; then
    sort -n -k2 instr | sed -n 2p | awk '{printf "netkit: %d instructions for 5,000 queries (median of 3), %d per query\n", $2, $2 / 5000}'
fi
python3 - <<'PY'
import statistics
rows = {}
for line in open("results"):
    tool, rate, ok = line.split()
    rows.setdefault(tool, []).append((int(rate), int(ok)))
med = {t: statistics.median(r for r, _ in v) for t, v in rows.items()}
for t, v in rows.items():
    print(f"{t:12} median {med[t]:>9,.0f} queries/s  runs {[r for r, _ in v]}  answered {[o for _, o in v]}")
for t in ("netkit-c256", "netkit-c100"):
    print(f"{t} / dnsperf: {med[t] / med['dnsperf']:.2f}x")
PY
IN
RUNS=${RUNS:-5} INSTR=${INSTR:-0} unshare --net --mount bash "$work/run.sh" "$work" "$NK"
