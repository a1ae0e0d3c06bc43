#!/usr/bin/env bash
# Runs inside `unshare --net --mount` (benches/dns.sh).
set -euo pipefail
ip link set lo up
work=$(mktemp -d)
cd "$work"
printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:2\n' > resolv.conf
printf '127.0.0.1 localhost\n' > hosts
mount --bind resolv.conf /etc/resolv.conf
mount --bind hosts /etc/hosts
NETKIT_DNS_FIXTURE=127.0.0.1:53 NETKIT_DNS_READY=ready "$TESTBIN" --ignored --exact lookup::zz_dns_fixture_helper > /dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for i in $(seq 200); do [ -s ready ] && break; sleep 0.02; done

cc -O2 -o spawn "$SPAWN_C"
# One look-up per process, interleaved with the peer (benches/spawn.c).
echo "one A query vs getent hosts (the system resolver, same server): $(./spawn 500 -- "$NK" lookup -t A mail.example.test -- getent hosts mail.example.test | tr '\n' ';')"
echo "one A query @server vs kdig: $(./spawn 500 -- "$NK" lookup -t A mail.example.test @127.0.0.1 -- kdig @127.0.0.1 A mail.example.test | tr '\n' ';')"

python3 -c '
import random
random.seed(7)
names = ["mail", "www", "c", "backup", "sip", "nosuch%d"] 
with open("names.txt", "w") as f:
    for i in range(10000):
        n = random.choice(names)
        f.write((n % i if "%" in n else n) + ".example.test\n")'
start=$(date +%s.%N)
"$NK" --json lookup -t A -f names.txt @127.0.0.1 > nk.json || true
nk_s=$(python3 -c "import time; print(time.time() - $start)")
start=$(date +%s.%N)
kdig @127.0.0.1 $(cat names.txt) > kdig.txt 2>&1 || true
kd_s=$(python3 -c "import time; print(time.time() - $start)")
python3 - "$nk_s" "$kd_s" <<'PY'
import json, sys
nk_s, kd_s = float(sys.argv[1]), float(sys.argv[2])
lines = [json.loads(l) for l in open("nk.json")]
names = [l.strip() for l in open("names.txt")]
in_order = [l["name"] for l in lines] == names
statuses = {}
for l in lines: statuses[l["status"]] = statuses.get(l["status"], 0) + 1
kdig_answers = sum(1 for l in open("kdig.txt") if "->>HEADER<<-" in l)
print(f"10,000 names, one invocation: netkit {nk_s:.2f} s ({len(lines)} results, in input order: {in_order}, {statuses}); "
      f"kdig {kd_s:.2f} s ({kdig_answers} answers); kdig/netkit {kd_s/nk_s:.1f}x")
PY
