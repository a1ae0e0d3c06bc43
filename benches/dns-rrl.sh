#!/usr/bin/env bash
# A batch against a rate-limiting server, side by side: nsd (Debian's
# defaults: response rate limiting at 200 answers/s per client network,
# slip 2) serves 10,000 names with A records only, and every name is asked
# for AAAA (NODATA, the answers RRL limits hardest). Measured: netkit
# lookup -f (concurrent, pipelined TCP once the server truncates or drops)
# vs dig -f (sequential, TC -> TCP, +time=1 +tries=3), and what dnsperf
# (no retries) sees lost. Wall time, answers, losses. All inside a private
# network namespace on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q
NK=$PWD/target/release/netkit
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source benches/nsd-bulk.sh
nsd_bulk "$work" 10000 10000 AAAA
cat > "$work/run.sh" <<'IN'
set -e
cd "$1"; NK=$2
ip link set lo up
nsd -d -c "$PWD/nsd.conf" > nsd.out 2>&1 &
until dig +time=1 +tries=1 -p 5303 @127.0.0.1 bulk.test SOA >/dev/null 2>&1; do sleep 0.05; done
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
s=$(date +%s%N); "$NK" lookup --json -f names -t AAAA @127.0.0.1:5303 > nk.json || true; t=$(ms $s)
echo "netkit lookup -f: $t ms, $(grep -c '"status":"nodata"' nk.json) answered, $(grep -vc '"status":"nodata"' nk.json) lost, $(grep -c '"transport":"tcp"' nk.json) over TCP"
sleep 2
s=$(date +%s%N); dig -p 5303 @127.0.0.1 +noall +comments +time=1 +tries=3 -f queries > dig.out 2>&1 || true; t=$(ms $s)
echo "dig -f:           $t ms, $(grep -c 'status: NOERROR' dig.out) answered, $(grep -c 'timed out' dig.out) attempts timed out"
sleep 2
if command -v dnsperf >/dev/null; then
  dnsperf -s 127.0.0.1 -p 5303 -d queries -n 1 -l 20 2>&1 | grep -E "Queries (sent|completed|lost)" | sed 's/^/dnsperf (no retries): /'
fi
IN
unshare --net --mount bash "$work/run.sh" "$work" "$NK"
