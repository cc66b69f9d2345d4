#!/usr/bin/env bash
# Measure the cold build of the README's first command, `cargo run --locked -- render`,
# in a fresh target directory (no compiled dependencies), as a new user's first run.
#
# usage: scripts/measure-cold-build.sh [TARGET_DIR]
#   TARGET_DIR defaults to a new temporary directory; it is deleted afterwards
#   unless KEEP_TARGET=1. TIMINGS=1 also writes cargo's per-crate timing
#   report (TARGET_DIR/cargo-timings/, kept with KEEP_TARGET=1). Crates must already be downloaded (`cargo fetch --locked`):
#   the measurement is compile time, not download time.
#
# Prints wall time, CPU time (user + sys, from /usr/bin/time -v), peak memory,
# the 1-minute load average before and after (the machine may be shared), and
# the size of the target directory. Render output goes to a scratch directory.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:-$(mktemp -d "${TMPDIR:-/tmp}/sessionlog-cold.XXXXXX")}"
if [ -e "$target" ] && [ -n "$(ls -A "$target" 2>/dev/null)" ]; then
    echo "error: $target is not empty; a cold build needs a fresh target directory" >&2
    exit 2
fi
out="$(mktemp -d "${TMPDIR:-/tmp}/sessionlog-cold-out.XXXXXX")"
log="$(mktemp "${TMPDIR:-/tmp}/sessionlog-cold-time.XXXXXX")"
cleanup() {
    if [ -n "${sampler:-}" ]; then kill "$sampler" 2>/dev/null || true; fi
    rm -rf "$out" "$log" "$log.load"
    if [ "${KEEP_TARGET:-0}" != 1 ]; then rm -rf "$target"; fi
}
trap cleanup EXIT

cargo fetch --locked >/dev/null

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
# Sample the 1-minute load average every 10 s during the build (bounded by the build).
samples="$log.load"
( while :; do cut -d' ' -f1 /proc/loadavg >>"$samples"; sleep 10; done ) &
sampler=$!
start=$(date +%s.%N)
CARGO_TARGET_DIR="$target" /usr/bin/time -v -o "$log" \
    cargo run --locked ${TIMINGS:+--timings} -- render --out-dir "$out" >/dev/null 2>"$out.stderr" || {
    cat "$out.stderr" >&2; rm -f "$out.stderr"; exit 1; }
end=$(date +%s.%N)
rm -f "$out.stderr"
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
load_mean=$(awk '{s+=$1; n++} END {if (n) printf "%.2f", s/n; else print "n/a"}' "$samples")
rm -f "$samples"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

user=$(awk -F': ' '/User time/ {print $2}' "$log")
sys=$(awk -F': ' '/System time/ {print $2}' "$log")
rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$log")
wall=$(echo "$end - $start" | bc)
size=$(du -sh "$target" | cut -f1)
units=$(find "$target/debug/deps" -name '*.rlib' | wc -l)

printf 'command:        cargo run --locked -- render (fresh CARGO_TARGET_DIR)\n'
printf 'wall time:      %.1f s (%dm%02ds)\n' "$wall" "$(echo "$wall/60" | bc)" "$(echo "$wall%60/1" | bc)"
printf 'cpu time:       %.1f s (user %s s + sys %s s)\n' "$(echo "$user + $sys" | bc)" "$user" "$sys"
printf 'peak memory:    %s MiB (largest single process)\n' "$((rss / 1024))"
printf 'crates built:   %s rlibs\n' "$units"
printf 'target dir:     %s\n' "$size"
printf 'load average:   %s before; 1-min mean during the build %s; %s after (nproc %s)\n' \
    "$load_before" "$load_mean" "$load_after" "$(nproc)"
