#!/usr/bin/env bash
# Port scans on this machine, inside a private network namespace (only lo,
# four listeners of ours and one whose accept queue is full, so that its
# port drops SYNs: filtered), side by side:
#  1. all 65,535 ports of 127.0.0.1: netkit portcheck -p- vs nmap -sT -p- -T4 -n
#     vs nc -z -n -w1 (hyperfine, 5 runs each); netkit's CPU and peak RSS
#     (GNU time); the open ports found must be exactly the four listeners;
#  2. one port: netkit portcheck 127.0.0.1 -p 22 vs nc -z (benches/spawn.c:
#     1,000 runs each, interleaved).
# Needs root, hyperfine, nmap and netcat-openbsd (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
for pkg in hyperfine:hyperfine nmap:nmap nc:netcat-openbsd /usr/bin/time:time; do
    command -v "${pkg%%:*}" >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkg#*:}"; }
done
cargo build --release --locked -q
NK=$PWD/target/release/netkit SPAWN_C=$PWD/benches/spawn.c exec unshare --net --mount bash -s <<'INNER'
set -euo pipefail
ip link set lo up
cd "$(mktemp -d)"
python3 -c '
import selectors, socket
sel = selectors.DefaultSelector()
for p in (22, 8080, 40001, 65535):
    s = socket.socket(); s.bind(("127.0.0.1", p)); s.listen(1024); sel.register(s, selectors.EVENT_READ)
# Port 40002: a full accept queue, never accepted: SYNs to it are dropped.
full = socket.socket(); full.bind(("127.0.0.1", 40002)); full.listen(0)
held = []
for i in range(3):
    c = socket.socket(); c.setblocking(False); c.connect_ex(("127.0.0.1", 40002)); held.append(c)
open("ready", "w").close()
# Accept and close at once, so the accept queues never fill.
while True:
    for key, _ in sel.select():
        try: key.fileobj.accept()[0].close()
        except OSError: pass' &
listeners=$!
trap 'kill $listeners 2>/dev/null || true' EXIT
for i in $(seq 200); do [ -e ready ] && break; sleep 0.02; done

hyperfine -N -i --warmup 1 --runs 5 --export-json full.json \
    "$NK -q portcheck -p- 127.0.0.1" \
    "nmap -sT -p- -T4 -n 127.0.0.1" \
    "nc -z -n -w1 127.0.0.1 1-65535" > /dev/null 2>&1
/usr/bin/time -f "%U %S %M" "$NK" -q portcheck -p- 127.0.0.1 2> usage.txt || true
"$NK" --json portcheck -p- 127.0.0.1 > scan.json || true
nmap -sT -p- -T4 -n 127.0.0.1 | grep -c '/tcp.*open' > nmap_open.txt || true
cc -O2 -o spawn "$SPAWN_C"
./spawn 1000 -- "$NK" portcheck 127.0.0.1 -p 22 -- nc -z -n -w1 127.0.0.1 22 > one.txt
python3 - <<'PY'
import json
r = {x["command"].split()[0].rsplit("/", 1)[-1]: x["median"] for x in json.load(open("full.json"))["results"]}
nk, nm, nc = r["netkit"], r["nmap"], r["nc"]
user, sys_, rss = open("usage.txt").read().split()[-3:]
lines = [json.loads(l) for l in open("scan.json")]
open_ports = [p["port"] for p in lines if p.get("state") == "open"]
filtered = [p["port"] for p in lines if p.get("state") == "filtered"]
print(f"filtered ports found {filtered} (the full accept queue: [40002])")
print(f"65,535 ports of 127.0.0.1, one filtered (median of 5): netkit {nk:.3f} s, nmap -sT -T4 {nm:.3f} s, nc -z {nc:.3f} s; "
      f"netkit/nmap {nk/nm:.2f}, netkit/nc {nk/nc:.2f}")
print(f"netkit CPU {float(user) + float(sys_):.2f} s (user {user}, sys {sys_}), peak RSS {int(rss)/1024:.1f} MiB; "
      f"open ports found {open_ports} (listeners: [22, 8080, 40001, 65535]); nmap found {open('nmap_open.txt').read().strip()} open")
print("one port, 1,000 runs each, interleaved: " + "; ".join(open("one.txt").read().split("\n")).strip("; "))
PY
INNER
