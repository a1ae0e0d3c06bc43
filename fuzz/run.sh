#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 60) each, two at a time, and
# prints executions, corpus size and coverage per target.
# Needs: rustup nightly, cargo install cargo-fuzz.
set -uo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
targets=(addresses ports durations_units netdb_lines http_head proxy_reply mcast_header dns_message)
cargo +nightly fuzz build -O >/dev/null 2>&1 || { echo "build failed" >&2; exit 1; }
mkdir -p logs
run() {
    cargo +nightly fuzz run -O "$1" -- -max_total_time="$secs" -rss_limit_mb=2048 \
        -timeout=10 -print_final_stats=1 >"logs/$1.log" 2>&1
    echo "$1 exit=$?" >>logs/status
}
: >logs/status
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    run "${targets[i]}" &
    [ -n "${targets[i+1]:-}" ] && run "${targets[i+1]}" &
    wait
done
for t in "${targets[@]}"; do
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "logs/$t.log" | tail -1)
    corp=$(ls "corpus/$t" | wc -l)
    crash=$(grep -c 'panicked\|ERROR: libFuzzer\|SUMMARY' "logs/$t.log")
    printf '%-16s %12s execs  %-10s corpus %5s  findings %s\n' "$t" "${execs:-?}" "$cov" "$corp" "$crash"
done
cat logs/status
# A target that crashed (a finding) fails the run.
! grep -q "exit=[1-9]" logs/status
