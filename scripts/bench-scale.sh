#!/usr/bin/env bash
# Scale benchmark on the StackSets simulator (scripts/stacksets_sim.py):
# 1,000 member accounts x 17 Regions; the first rollout, a template change
# and a no-op by sessionlog deploy, the AWS CLI sequence from stacksets/ and
# one StackSet after another, side by side; ends with one `scale:` line.
# BENCH_SCALE_ACCOUNTS=N to change the size. See docs/scale.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_SCALE_ACCOUNTS="${BENCH_SCALE_ACCOUNTS:-1000}"
cargo test --locked --test scale bench_scale -- --ignored --nocapture 2>&1 \
  | sed -n '/^bench-scale:/,/^scale:/p;/panicked/,+30p'
