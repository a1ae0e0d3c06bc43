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
export NK=$PWD/target/release/netkit TESTBIN SPAWN_C=$PWD/benches/spawn.c
exec unshare --net --mount bash benches/dns-inner.sh
