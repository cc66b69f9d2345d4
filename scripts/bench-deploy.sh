#!/usr/bin/env bash
# Deploy benchmark against moto (127.0.0.1): an organization of 50 member
# accounts in 3 regions. Prints wall time and API calls of `sessionlog deploy`
# next to the same rollout by the AWS CLI from the stacksets/ files, and the
# no-op redeploy. BENCH_ACCOUNTS=N to change the size.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/moto-setup.sh >/dev/null
export BENCH_ACCOUNTS="${BENCH_ACCOUNTS:-50}"
cargo test --test deploy bench_deploy_vs_aws_cli -- --ignored --nocapture 2>&1 \
  | sed -n '/^bench:/,/^$/p;/panicked/,+20p'
