#!/usr/bin/env bash
# --path against traceroute -T -q 1, tracepath and mtr -T, side by side in
# the routed lab of the tests (tests/support/routed-lab.sh: client - r1 -
# r2 - r3 - server, namespaces under a private one; nothing leaves the
# machine). Per scenario, RUNS rounds (default 7), interleaved, the median
# wall time of each tool, and netkit's as a ratio of traceroute's:
#   clean    every hop answers
#   silent   r2 never sends time exceeded
#   drop     r2 drops TCP to :443 it forwards (traceroute -m 8; netkit
#            --max-hops 8: both wait out the silent hops)
# netkit is `portcheck --path -n HOST:443` (the connect check, the trace,
# the MTU pass and, when not reached, an ICMP echo), a release build.
#
#   benches/path-lab.sh          # needs traceroute, tracepath, mtr (root)
#
# Measured here (2 shared cores, 2026-12-07, RUNS=7), medians:
#   clean   netkit 4.6 ms     traceroute 3.8 ms (1.21x)  tracepath 2.8 ms     mtr 5.77 s
#   silent  netkit 16.9 ms    traceroute 15.9 ms (1.06x) tracepath 3.0 s      mtr 5.77 s
#   drop    netkit 3.04 s     traceroute 5.01 s (0.61x)  tracepath 3.2 ms*    mtr 5.96 s
# (* tracepath probes UDP, which r2 forwards.) netkit's drop includes its
# connect check (2 s: the SYN and one retransmission); its trace stops
# once the scouts have waited out the hops past the last answer.
set -euo pipefail
cd "$(dirname "$0")/.."
for pkg in traceroute:traceroute tracepath:iputils-tracepath mtr:mtr-tiny nft:nftables; do
    command -v "${pkg%%:*}" >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkg#*:}"; }
done
cargo build --release --locked -q
export NK=$PWD/target/release/netkit RUNS=${RUNS:-7}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp tests/support/routed-lab.sh "$work/lab.sh"
cat > "$work/inner.sh" <<'INNER'
ip link set lo up
. ./lab.sh
nk_listen 443
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
bench() { # NAME NETKIT-ARGS TRACEROUTE-ARGS
    name=$1; : > nk.t; : > tr.t; : > tp.t; : > mtr.t
    for i in $(seq "$RUNS"); do
        a=$(date +%s%N); $NK portcheck --path -n $2 >/dev/null 2>&1; b=$(date +%s%N)
        traceroute -T -q 1 -n $3 >/dev/null 2>&1; c=$(date +%s%N)
        tracepath -n -m 8 10.0.4.2 >/dev/null 2>&1; d=$(date +%s%N)
        mtr -T -P 443 -n -r -c 1 -m 8 10.0.4.2 >/dev/null 2>&1; e=$(date +%s%N)
        echo $(( (b - a) / 1000 )) >> nk.t; echo $(( (c - b) / 1000 )) >> tr.t
        echo $(( (d - c) / 1000 )) >> tp.t; echo $(( (e - d) / 1000 )) >> mtr.t
    done
    nk=$(median < nk.t); tr=$(median < tr.t); tp=$(median < tp.t); mt=$(median < mtr.t)
    printf '%-7s netkit %8.1f ms   traceroute -T -q 1 %8.1f ms (%.2fx)   tracepath %8.1f ms   mtr -T -c 1 %8.1f ms\n' \
        "$name" "$(echo "$nk / 1000" | bc -l)" "$(echo "$tr / 1000" | bc -l)" "$(echo "$nk / $tr" | bc -l)" \
        "$(echo "$tp / 1000" | bc -l)" "$(echo "$mt / 1000" | bc -l)"
}
bench clean "10.0.4.2:443" "-p 443 10.0.4.2"
nk_nft r2 add table inet f
nk_nft r2 add chain inet f fw '{ type filter hook forward priority 0; }'
nk_nft r2 add chain inet f o '{ type filter hook output priority 0; }'
nk_nft r2 add rule inet f o icmp type time-exceeded drop
bench silent "10.0.4.2:443" "-p 443 10.0.4.2"
nk_nft r2 flush chain inet f o
nk_nft r2 add rule inet f fw tcp dport 443 drop
bench drop "--max-hops 8 10.0.4.2:443" "-p 443 -m 8 10.0.4.2"
INNER
cd "$work"
unshare --net --mount --pid --fork --mount-proc --kill-child sh inner.sh
