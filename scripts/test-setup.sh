#!/usr/bin/env bash
# Installs what the test suite needs, pinned (idempotent): Python tools from
# PyPI into ./.venv; the access proof's IAM evaluator from npm into
# tests/access/node_modules (Node.js from Debian when missing or too old).
set -euo pipefail
cd "$(dirname "$0")/.."

CFN_LINT_VERSION=1.51.0
MOTO_VERSION=5.2.1
BOTO3_VERSION=1.43.11
AWSCLI_VERSION=1.45.11
# jq: the Firehose fidelity patch of scripts/moto-server.py evaluates the
# delivery stream's JQ partitioning query with the real jq (Firehose runs JQ 1.6).
JQ_VERSION=1.8.0
PRE_COMMIT_VERSION=4.7.0     # tests/pre_commit.rs runs the hooks with it
PYKWALIFY_VERSION=1.8.0      # the version CfCT's build stage validates manifests with
RUAMEL_YAML_VERSION=0.18.17  # pykwalify's YAML reader, pinned for repeatable runs
# Cedar's own engine (cedar-policy 4.x, Python binding, a prebuilt wheel):
# tests/jit_cedar.rs parses, validates and authorizes the generated
# just-in-time approval policies with it.
CEDARPY_VERSION=4.12.2
DUCKDB_VERSION=1.5.6         # tests/athena_sql.rs runs the sessions report's Athena SQL with it

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
want "pre-commit==${PRE_COMMIT_VERSION}"
want "ruamel.yaml==${RUAMEL_YAML_VERSION}"
want "pykwalify==${PYKWALIFY_VERSION}"
want "cedarpy==${CEDARPY_VERSION}"
want "duckdb==${DUCKDB_VERSION}"

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

# checkov (tests/checkov.rs scans every rendered template with it) in a venv
# of its own: checkov 3.3.30 pins boto3==1.35.49, which would replace the
# boto3 moto and the AWS CLI are tested with in .venv.
CHECKOV_VERSION=3.3.30
if [ ! -x .venv-checkov/bin/python ]; then
  "$PY" -m venv .venv-checkov
fi
have=$(.venv-checkov/bin/python -m pip show checkov 2>/dev/null | sed -n 's/^Version: //p' || true)
if [ "$have" != "$CHECKOV_VERSION" ]; then
  .venv-checkov/bin/python -m pip install --quiet "checkov==${CHECKOV_VERSION}"
fi
echo "checkov $(.venv-checkov/bin/checkov --version)"

# The access proof (tests/access.rs) and the SCP proof (tests/scp.rs) decide
# IAM requests with @cloud-copilot/iam-simulate, pinned with its dependencies by
# tests/access/package-lock.json.
NODE_MIN_MAJOR=18
node_ok() {
  command -v node >/dev/null && command -v npm >/dev/null &&
    [ "$(node -p 'process.versions.node.split(".")[0]')" -ge "$NODE_MIN_MAJOR" ]
}
if ! node_ok; then
  if command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  fi
  node_ok || { echo "error: Node.js >= $NODE_MIN_MAJOR with npm is needed for the access proof (tests/access)" >&2; exit 1; }
fi
LOCK_SUM=$(sha256sum tests/access/package-lock.json | cut -d' ' -f1)
STAMP=tests/access/node_modules/.sessionlog-lock.sha256
if [ "$(cat "$STAMP" 2>/dev/null)" != "$LOCK_SUM" ]; then
  (cd tests/access && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  echo "$LOCK_SUM" > "$STAMP"
fi
echo "node $(node --version), iam-simulate $(sed -n 's/^  "version": "\(.*\)",$/\1/p' tests/access/node_modules/@cloud-copilot/iam-simulate/package.json)"
# The fixture corpus of tests/validate_fixtures.rs: test/fixtures/templates/good
# and bad of cfn-lint's source distribution, the same pinned release, checked
# against its sha256 and unpacked into .cache/ (never committed); with the
# real-world templates that sdist also ships (public/: published samples,
# quickstart/: AWS Quick Start templates).
FIXTURES_SHA256=05d2a59708c99363afe3af6ac7325de95a5b37f8eef7728f41ae567d088a61f1
FIXTURES=.cache/cfn-lint-${CFN_LINT_VERSION}
SDIST=.cache/cfn_lint-${CFN_LINT_VERSION}.tar.gz
if [ ! -f "$FIXTURES/.complete" ] || [ ! -d "$FIXTURES/quickstart" ]; then
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
    "cfn_lint-${CFN_LINT_VERSION}/test/fixtures/templates/bad" \
    "cfn_lint-${CFN_LINT_VERSION}/test/fixtures/templates/public" \
    "cfn_lint-${CFN_LINT_VERSION}/test/fixtures/templates/quickstart"
  echo "$FIXTURES_SHA256" > "$FIXTURES/.complete"
fi
echo "cfn-lint fixtures: $FIXTURES ($(find "$FIXTURES/good" "$FIXTURES/bad" "$FIXTURES/public" "$FIXTURES/quickstart" -type f \( -name '*.yaml' -o -name '*.json' \) | wc -l) templates)"
