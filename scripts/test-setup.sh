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

.venv/bin/cfn-lint --version

# The access proofs' IAM evaluator, @cloud-copilot/iam-simulate, pinned with
# its dependencies in tests/access/package-lock.json (npm ci: exactly that).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "error: Node.js and npm are needed for the access proof (tests/access)" >&2
    exit 1
  fi
fi
if [ ! -d tests/access/node_modules/@cloud-copilot/iam-simulate ] \
  || [ tests/access/package-lock.json -nt tests/access/node_modules/.package-lock.json ]; then
  (cd tests/access && npm ci --no-audit --no-fund --loglevel=error)
fi
# The SCP proof (tests/scp.rs) decides service control policies with the
# same evaluator, pinned by its own tests/scp/package-lock.json.
if [ ! -d tests/scp/node_modules/@cloud-copilot/iam-simulate ] \
  || [ tests/scp/package-lock.json -nt tests/scp/node_modules/.package-lock.json ]; then
  (cd tests/scp && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "node $(node --version), @cloud-copilot/iam-simulate $(node -p "require('./tests/access/node_modules/@cloud-copilot/iam-simulate/package.json').version")"
