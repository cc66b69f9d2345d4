#!/usr/bin/env bash
# Sessions benchmark (issue 18): `sessionlog sessions` over a synthetic
# organization-week — 1,000 accounts × 3 regions × 168 hourly trail files
# (≥ 1 GiB of GZIP trail, generated once and deterministically under
# .cache/bench-sessions by examples/synth_archive.rs) — next to the
# pipeline a user writes today: copy the trail (`aws s3 cp --recursive`;
# here `cp -r` of the local copy, as moto cannot hold a million objects
# in reasonable time), then `zcat | jq` for the session events.
# Wall time, peak memory (/usr/bin/time -v) and bytes read, side by side;
# then a one-day window, to show memory does not grow with the window.
#
# BENCH_ACCOUNTS, BENCH_REGIONS, BENCH_HOURS, BENCH_FILLER change the size.
set -euo pipefail
cd "$(dirname "$0")/.."
ACCOUNTS="${BENCH_ACCOUNTS:-1000}"
REGIONS="${BENCH_REGIONS:-3}"
HOURS="${BENCH_HOURS:-168}"
FILLER="${BENCH_FILLER:-11}"
BIN="${BENCH_BIN:-${CARGO_TARGET_DIR:-target}/release}"
[ -x "$BIN/sessionlog" ] && [ -x "$BIN/examples/synth_archive" ] \
  || cargo build --release --locked --bin sessionlog --example synth_archive

ARCHIVE=".cache/bench-sessions/org-$ACCOUNTS-$REGIONS-$HOURS-$FILLER"
if [ ! -e "$ARCHIVE/.complete" ]; then
  rm -rf "$ARCHIVE"
  echo "generating $ARCHIVE (once)…" >&2
  "$BIN/examples/synth_archive" "$ARCHIVE" "$ACCOUNTS" "$REGIONS" "$HOURS" "$FILLER" >&2
  touch "$ARCHIVE/.complete"
fi
TRAIL="$ARCHIVE/cloudtrail"
TRAIL_BYTES=$(find "$TRAIL" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
FILES=$(find "$TRAIL" -name '*.json.gz' | wc -l)
SINCE=2026-11-02
UNTIL=$(date -u -d "2026-11-02 + $HOURS hours" +%Y-%m-%dT%H:%M:%SZ)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# measure NAME COMMAND…: wall seconds and peak RSS (KiB) into $WORK/NAME.time
measure() {
  local name=$1; shift
  /usr/bin/time -v -o "$WORK/$name.time" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"
}
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$WORK/$1.time"; }
rss() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$WORK/$1.time"; }

JQ='.Records[] | select(.eventSource == "ssm.amazonaws.com" and (.eventName == "StartSession" or .eventName == "TerminateSession"))
    | {time: .eventTime, event: .eventName, session: (.responseElements.sessionId // .requestParameters.sessionId),
       who: .userIdentity.arn, target: .requestParameters.target, account: .recipientAccountId, region: .awsRegion}'
sync
measure pipeline bash -c "cp -r '$TRAIL' '$WORK/copy' && find '$WORK/copy' -name '*.json.gz' -print0 | xargs -0 zcat | jq -c '$JQ'"
rm -rf "$WORK/copy"
sync
measure week "$BIN/sessionlog" sessions --config src/config/example.sessionlog.yaml --archive "$ARCHIVE" \
  --since "$SINCE" --until "$UNTIL" --format json
DAY_UNTIL=$(date -u -d "2026-11-02 + 24 hours" +%Y-%m-%dT%H:%M:%SZ)
measure day "$BIN/sessionlog" sessions --config src/config/example.sessionlog.yaml --archive "$ARCHIVE" \
  --since "$SINCE" --until "$DAY_UNTIL" --format json

week_bytes=$(sed -n 's/.*; \([0-9]*\) bytes read/\1/p' "$WORK/week.err")
day_bytes=$(sed -n 's/.*; \([0-9]*\) bytes read/\1/p' "$WORK/day.err")
events=$(wc -l < "$WORK/pipeline.out")
rows=$(jq length "$WORK/week.out")

echo "bench: sessions over $ACCOUNTS accounts × $REGIONS regions × $HOURS h: $FILES trail files, $((TRAIL_BYTES / 1048576)) MiB GZIP"
printf '%-46s %10s %14s %14s\n' "" "wall s" "peak RSS MiB" "bytes read"
printf '%-46s %10s %14s %14s\n' "cp -r + zcat | jq ($events session events)" "$(wall pipeline)" "$(rss pipeline)" "$TRAIL_BYTES"
printf '%-46s %10s %14s %14s\n' "sessionlog sessions, week ($rows rows)" "$(wall week)" "$(rss week)" "$week_bytes"
printf '%-46s %10s %14s %14s\n' "sessionlog sessions, one day" "$(wall day)" "$(rss day)" "$day_bytes"
awk -v a="$(wall pipeline)" -v b="$(wall week)" 'BEGIN { if (b > 0) printf "speed-up (week): %.1f×\n", a / b }'
