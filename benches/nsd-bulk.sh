# Sourced by the DNS benchmarks: nsd_bulk DIR ZONE_NAMES QUERIES QTYPE [SERVER_LINES]
# writes into DIR the zone bulk.test (ZONE_NAMES names hN, A records),
# `names` (QUERIES lines hN.bulk.test, cycling through the zone) and
# `queries` (the same with QTYPE, for dnsperf), and nsd.conf: nsd on
# 127.0.0.1:5303 serving bulk.test, with SERVER_LINES (say, RRL settings)
# added to its server section.
nsd_bulk() {
    local dir=$1 zone_names=$2 queries=$3 qtype=$4 extra=${5:-}
    python3 - "$dir" "$zone_names" "$queries" "$qtype" <<'PY'
import sys
d, n, q, t = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
z = ["$ORIGIN bulk.test.", "$TTL 300", "@ SOA ns1 h 1 3600 600 86400 60", "@ NS ns1", "ns1 A 127.0.0.1"]
z += [f"h{i} A 192.0.2.{i % 250 + 1}" for i in range(n)]
open(f"{d}/bulk.zone", "w").write("\n".join(z) + "\n")
open(f"{d}/names", "w").write("".join(f"h{i % n}.bulk.test\n" for i in range(q)))
open(f"{d}/queries", "w").write("".join(f"h{i % n}.bulk.test {t}\n" for i in range(q)))
PY
    cat > "$dir/nsd.conf" <<CONF
server:
    ip-address: 127.0.0.1@5303
    zonesdir: "$dir"
    pidfile: "$dir/nsd.pid"
    username: ""
    database: ""
    zonelistfile: "$dir/zone.list"
    xfrdfile: "$dir/xfrd.state"
    xfrdir: "$dir"
    logfile: "$dir/nsd.log"
$extra
remote-control:
    control-enable: no
zone:
    name: bulk.test
    zonefile: bulk.zone
CONF
}
