#!/usr/bin/env bash
# Multicast throughput on this machine, inside a private network namespace
# (lo with a multicast route; nothing leaves it), side by side with iperf2.
# See benches/mcast-inner.sh for what is measured. Needs root and iperf.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v iperf >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iperf; }
cargo build --release --locked -q
NK=$PWD/target/release/netkit exec unshare --net --mount bash benches/mcast-inner.sh
