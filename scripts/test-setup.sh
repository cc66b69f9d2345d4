#!/usr/bin/env bash
# Installs what the test suite needs, pinned, into ./.venv (idempotent).
# Safe on a fresh machine: Python tools from PyPI, nothing else downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

CFN_LINT_VERSION=1.51.0
MOTO_VERSION=5.2.1
BOTO3_VERSION=1.43.11
AWSCLI_VERSION=1.45.11
# jq: the Firehose fidelity patch of scripts/moto-server.py evaluates the
# delivery stream's JQ partitioning query with the real jq (Firehose runs JQ 1.6).
JQ_VERSION=1.8.0

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
want "jq==${JQ_VERSION}"

.venv/bin/cfn-lint --version
