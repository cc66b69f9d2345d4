#!/usr/bin/env bash
# Installs what the test suite needs, pinned, into ./.venv (idempotent).
# Safe on a fresh machine: Python tools from PyPI, nothing else downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

CFN_LINT_VERSION=1.51.0
MOTO_VERSION=5.2.1
BOTO3_VERSION=1.43.11
AWSCLI_VERSION=1.45.11

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv || {
    # Debian's python3 ships venv separately.
    if command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      "$PY" -m venv .venv
    else
      exit 1
    fi
  }
fi

want() { # package==version: install unless already exactly that version
  local spec=$1 name=${1%%==*} ver=${1##*==}
  local have
  have=$(.venv/bin/python -m pip show "${name%%[*}" 2>/dev/null | sed -n 's/^Version: //p' || true)
  if [ "$have" != "$ver" ]; then
    .venv/bin/python -m pip install --quiet "$spec"
  fi
}

want "cfn-lint==${CFN_LINT_VERSION}"
want "boto3==${BOTO3_VERSION}"
want "moto[server]==${MOTO_VERSION}"
want "awscli==${AWSCLI_VERSION}"

# The SCP proof's independent evaluator (tests/scp.rs), pinned by
# tests/scp/package-lock.json: npm ci installs exactly that.
IAM_SIMULATE_VERSION=0.1.173
if ! command -v npm >/dev/null; then
  echo "npm not found: install Node.js 20+ (the SCP proof runs @cloud-copilot/iam-simulate)" >&2
  exit 1
fi
have=$(cd tests/scp && node -p "require('./node_modules/@cloud-copilot/iam-simulate/package.json').version" 2>/dev/null || true)
if [ "$have" != "$IAM_SIMULATE_VERSION" ]; then
  (cd tests/scp && npm ci --no-audit --no-fund --loglevel=error)
fi

.venv/bin/cfn-lint --version
