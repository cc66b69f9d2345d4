#!/usr/bin/env bash
# Installs what the test suite needs, pinned, into ./.venv (idempotent).
# Safe on a fresh machine: Python tools from PyPI, nothing else downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

CFN_LINT_VERSION=1.51.0
MOTO_VERSION=5.2.1
BOTO3_VERSION=1.43.11
AWSCLI_VERSION=1.45.11
PRE_COMMIT_VERSION=4.7.0     # tests/pre_commit.rs runs the hooks with it
PYKWALIFY_VERSION=1.8.0      # the version CfCT's build stage validates manifests with
RUAMEL_YAML_VERSION=0.18.17  # pykwalify's YAML reader, pinned for repeatable runs

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
want "pre-commit==${PRE_COMMIT_VERSION}"
want "ruamel.yaml==${RUAMEL_YAML_VERSION}"
want "pykwalify==${PYKWALIFY_VERSION}"

# Shells whose completion scripts tests/completions_man.rs parses, and groff
# for the manual page (Debian packages; only when missing).
missing=()
for tool in zsh:zsh fish:fish groff:groff-base git:git; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "error: install ${missing[*]} (the tests use them)" >&2
    exit 1
  fi
fi

.venv/bin/cfn-lint --version
