#!/usr/bin/env bash
# Start-up cost of the offline commands, side by side with getent, on this
# machine. Prints each command's median wall time and netkit's ratio to its
# peer. Needs hyperfine (installed from Debian if missing and root).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine; }
cargo build --release --locked -q
nk=target/release/netkit
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

bench() { # name, netkit command, peer command
    hyperfine -N --warmup 50 --runs 1000 --export-json "$out/$1.json" "$2" "$3" >/dev/null 2>&1
    python3 - "$out/$1.json" "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
nk, peer = r[0], r[1]
print(f"{sys.argv[2]}: {nk['command']!r} median {nk['median']*1e3:.3f} ms; "
      f"{peer['command']!r} median {peer['median']*1e3:.3f} ms; ratio {nk['median']/peer['median']:.2f}x")
PY
}

bench pack "$nk pack 127.0.0.1" "getent services http"
bench services "$nk services http" "getent services http"
bench proto "$nk proto tcp" "getent protocols tcp"
echo "release binary: $(stat -c %s "$nk") bytes"
