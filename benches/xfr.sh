#!/usr/bin/env bash
# Zone transfer speed, side by side, in a private network namespace:
# BIND serves a zone of N records (default 1,000,000; XFR_RECORDS=N to
# change) on 127.0.0.1:5399; `dig axfr` and `netkit lookup AXFR` (human
# output, and --json) transfer it in turn, interleaved by hyperfine, output
# to /dev/null. Prints records/s for each and netkit's peak RSS.
# Needs named (bind9), dig and hyperfine.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine; }
cargo build --release --locked -q
export NK=$PWD/target/release/netkit N=${XFR_RECORDS:-1000000}
exec unshare --net --mount bash -c '
set -euo pipefail
ip link set lo up
dir=$(mktemp -d); trap "kill \$(cat $dir/named.pid 2>/dev/null) 2>/dev/null; rm -rf $dir" EXIT
python3 - "$dir/big.zone" "$N" <<PY
import sys
with open(sys.argv[1], "w") as f:
    f.write("\$TTL 3600\n@ SOA ns1 host 7 3600 600 86400 60\n@ NS ns1\nns1 A 127.0.0.1\n")
    for i in range(int(sys.argv[2])):
        f.write(f"h{i} A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\n")
PY
cat > $dir/named.conf <<CONF
options { directory "$dir"; listen-on port 5399 { 127.0.0.1; }; listen-on-v6 { none; };
  pid-file "$dir/named.pid"; session-keyfile "$dir/s.key"; recursion no; dnssec-validation no; };
controls { };
zone "big.test" { type primary; file "$dir/big.zone"; allow-transfer { any; }; };
CONF
named -c $dir/named.conf
i=0; until dig +time=1 +tries=1 -p 5399 @127.0.0.1 big.test SOA | grep -q NOERROR; do
  i=$((i+1)); [ $i -gt 1200 ] && { echo "named did not load the zone" >&2; exit 1; }; sleep 0.1; done
echo "records: $($NK lookup -q --json -p 5399 @127.0.0.1 big.test AXFR | python3 -c "import json,sys; print(json.loads(sys.stdin.readlines()[-1])[\"records\"])")"
/usr/bin/time -f "netkit --json peak RSS %M KiB" $NK lookup --json -p 5399 @127.0.0.1 big.test AXFR > /dev/null
hyperfine -N -w 1 -r 5 --export-json $dir/h.json \
  "dig -p 5399 @127.0.0.1 big.test AXFR" \
  "$NK lookup -p 5399 @127.0.0.1 big.test AXFR" \
  "$NK lookup --json -p 5399 @127.0.0.1 big.test AXFR" > /dev/null
python3 - $dir/h.json "$N" <<PY
import json, sys
r = json.load(open(sys.argv[1]))["results"]; n = int(sys.argv[2]) + 4
dig = r[0]["median"]
for x in r:
    c, m = x["command"][:60], x["median"]
    print("%-60s median %.3f s  %10.0f records/s  %.2fx dig" % (c, m, n / m, m / dig))
PY
'
