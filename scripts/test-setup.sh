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

# The fixture corpus of tests/validate_fixtures.rs: test/fixtures/templates/good
# and bad of cfn-lint's source distribution, the same pinned release, checked
# against its sha256 and unpacked into .cache/ (never committed).
FIXTURES_SHA256=05d2a59708c99363afe3af6ac7325de95a5b37f8eef7728f41ae567d088a61f1
FIXTURES=.cache/cfn-lint-${CFN_LINT_VERSION}
SDIST=.cache/cfn_lint-${CFN_LINT_VERSION}.tar.gz
if [ ! -f "$FIXTURES/.complete" ]; then
  mkdir -p .cache
  if [ ! -f "$SDIST" ] || ! echo "$FIXTURES_SHA256  $SDIST" | sha256sum -c --status; then
    rm -f "$SDIST"
    .venv/bin/python -m pip download --quiet --no-binary :all: --no-deps \
      --dest .cache "cfn-lint==${CFN_LINT_VERSION}"
  fi
  echo "$FIXTURES_SHA256  $SDIST" | sha256sum -c --status || {
    echo "error: $SDIST does not have the pinned sha256 $FIXTURES_SHA256" >&2
    exit 1
  }
  rm -rf "$FIXTURES"
  mkdir -p "$FIXTURES"
  tar -xzf "$SDIST" -C "$FIXTURES" --strip-components=4 \
    "cfn_lint-${CFN_LINT_VERSION}/test/fixtures/templates/good" \
    "cfn_lint-${CFN_LINT_VERSION}/test/fixtures/templates/bad"
  echo "$FIXTURES_SHA256" > "$FIXTURES/.complete"
fi
echo "cfn-lint fixtures: $FIXTURES ($(find "$FIXTURES/good" "$FIXTURES/bad" -type f | wc -l) templates)"
