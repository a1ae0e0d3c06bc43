#!/usr/bin/env bash
# Runs inside `unshare --net --mount` (benches/mcast.sh):
#  1. flood sender: 1,000,000 datagrams of 64 bytes back to back, netkit vs
#     iperf2 (3 s at 10 Gbit/s offered), median of 3 runs, packets/s;
#  2. exact counts at 100,000 datagrams/s: 300,000 datagrams, netkit sender
#     to netkit receiver, and iperf2 client to iperf2 server, 3 runs each.
set -euo pipefail
ip link set lo up
ip link set lo multicast on
ip route add 224.0.0.0/4 dev lo
work=$(mktemp -d)
cd "$work"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])[sys.argv[2]])' "$@"; }

for i in 1 2 3; do
    "$NK" --json mcast-send --interval 0 --count 1000000 --source 127.0.0.1 239.1.2.3:5000 > f$i.json
    field f$i.json rate_pps
done | median > nk_flood
for i in 1 2 3; do
    iperf -c 239.1.2.3 -u -p 5001 -l 64 -b 10000M -t 3 -B 127.0.0.1 -T 1 -e 2>&1 |
        awk '/pps/ && /sec/ {print $(NF-1)}' | tail -1
done | median > ip_flood
python3 - <<PY
nk, ip = float(open("nk_flood").read()), float(open("ip_flood").read())
print(f"flood sender, 64-byte datagrams (median of 3): netkit {nk:,.0f} pkt/s, iperf2 {ip:,.0f} pkt/s, ratio {nk/ip:.2f}x")
PY

for i in 1 2 3; do
    "$NK" --json -q mcast-recv --count 300000 --timeout 3s 239.1.2.5:5000 > r$i.json &
    p=$!
    sleep 0.3
    "$NK" --json mcast-send --rate 100000 --count 300000 --source 127.0.0.1 239.1.2.5:5000 > s$i.json
    wait $p || true
    echo "netkit 100k pkt/s run $i: sent $(field s$i.json sent) at $(printf %.0f "$(field s$i.json rate_pps)") pkt/s;" \
        "received $(field r$i.json received), lost $(field r$i.json lost)," \
        "duplicates $(field r$i.json duplicates), reordered $(field r$i.json reordered)"
done
for i in 1 2 3; do
    timeout 15 iperf -s -u -B 239.1.2.6 -p 5002 -l 64 -e > ip$i.txt 2>&1 &
    p=$!
    sleep 0.3
    iperf -c 239.1.2.6 -u -p 5002 -l 64 -b 51.2M -t 3 -B 127.0.0.1 -T 1 > /dev/null 2>&1 || true
    sleep 1
    kill $p 2>/dev/null || true
    wait $p 2>/dev/null || true
    echo "iperf2 100k pkt/s run $i: $(grep -oE '[0-9]+/[0-9]+ +\([^)]*\)' ip$i.txt | tail -1) lost/total"
done
rm -rf "$work"
