#!/usr/bin/env bash
# Start-up cost of the offline commands, side by side with getent, on this
# machine. Prints each command's median wall time and netkit's ratio to its
# peer (runs interleaved, benches/spawn.c), and user-space instruction counts (valgrind's callgrind: stable on
# a noisy machine, where wall times are not). Needs hyperfine and valgrind
# (installed from Debian if missing and root).
set -euo pipefail
cd "$(dirname "$0")/.."
for pkg in hyperfine valgrind; do
    command -v $pkg >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkg; }
done
cargo build --release --locked -q
nk=target/release/netkit
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cc -O2 -o "$out/spawn" benches/spawn.c
bench() { # name, netkit command, peer command: interleaved runs (benches/spawn.c)
    echo "$1: $("$out/spawn" 1000 -- $2 -- $3 | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
}

bench pack "$nk pack 127.0.0.1" "getent services http"
bench services "$nk services http" "getent services http"
bench proto "$nk proto tcp" "getent protocols tcp"
instr() { # command...: user-space instructions of one run
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for pair in "pack 127.0.0.1|getent services http" "services http|getent services http" "proto tcp|getent protocols tcp"; do
    nk_i=$(instr $nk ${pair%%|*})
    peer_i=$(instr ${pair#*|})
    echo "instructions: netkit ${pair%%|*} $nk_i; ${pair#*|} $peer_i; ratio $(python3 -c "print(f'{$nk_i/$peer_i:.2f}')")x"
done
echo "release binary: $(stat -c %s "$nk") bytes"
