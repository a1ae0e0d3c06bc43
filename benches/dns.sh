#!/usr/bin/env bash
# Name-resolution speed on this machine, inside a private network namespace
# whose /etc/resolv.conf points at the test zone server (hickory-server,
# from the test binary) on 127.0.0.1:53. Side by side:
#  1. one process, one A query: netkit lookup (the system's resolv.conf)
#     vs getent hosts, and netkit lookup @server vs kdig (benches/spawn.c,
#     runs interleaved, median wall time);
#  2. 10,000 names in one invocation: netkit lookup -f vs kdig with the same
#     names, counting results.
# Needs hyperfine and kdig (knot-dnsutils); installed if missing and root.
#
# Measured (2 shared AMD EPYC cores, 2026-12-07): on the first machine,
# after the quick path (cli::quick_lookup), 0.99x-1.01x getent hosts (4
# sets of 500, nsd as the server). On the next machine of the same kind,
# the same build: this script 1.24x; with nsd, 4 sets of 500: 1.14x-1.15x;
# perf stat -r 300: 1.18 ms against 1.11 ms (1.07x). Instructions are
# even (342k against getent's 361k); the gap is page faults: 140 against
# 87 (perf stat), half of netkit's in its own code, which the start-up
# path touches all over its 6 MB text (`netkit --version` alone: 100;
# /bin/true: 49). Faults were not counted on the first machine.
# Then found: those numbers ran target/release/netkit, the file the linker
# wrote. A copy of the same bytes (cp, as `cargo install` and packages
# install) starts faster there: perf stat 0.98 ms against 1.15 ms, and
# 0.92x-0.93x getent hosts in 3 sets of 500 (nsd; the linked file 1.14x).
# This script now runs a copy: 0.98x and 0.95x getent hosts in two runs
# (the linked file: 1.24x), 0.31x kdig; the 10,000-name batch 0.17 s
# (6.8x faster than kdig), but 2.1-2.4 s in 4 runs of 6 after 500
# spawned look-ups: the namespace's UDP RcvbufErrors rose by 18-33 in
# exactly those runs (none in the fast ones), and the output stood still
# for 2 s once (the lost queries' retries, after the 2 s timeout). By
# all signs the fixture server's socket overflowed (one socket takes the
# 256-query burst; netkit spreads the replies over four; which socket
# dropped was not traced); netkit answers every name, but each loss costs the
# whole per-attempt timeout, where an adaptive retransmission timeout (as
# the port scanner has) would cost milliseconds: not built yet.
set -euo pipefail
cd "$(dirname "$0")/.."
for pkg in hyperfine:hyperfine kdig:knot-dnsutils; do
    command -v "${pkg%%:*}" >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkg#*:}"; }
done
cargo build --release --locked -q
TESTBIN=$(cargo test --release --locked --test it --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "it": print(m["executable"])')
# A copy, as `cargo install` makes one: the file the linker wrote starts
# slower (below) than the same bytes written anew, as installed programs
# (getent among them) are.
installed=$(mktemp -d)
trap 'rm -rf "$installed"' EXIT
cp target/release/netkit "$installed/netkit"
export NK=$installed/netkit TESTBIN SPAWN_C=$PWD/benches/spawn.c
unshare --net --mount bash benches/dns-inner.sh
