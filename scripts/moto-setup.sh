#!/usr/bin/env bash
# Installs what the deploy tests and bench need, if missing: moto's server
# (pinned), boto3 and the AWS CLI. Idempotent; safe to run on every CI run.
set -euo pipefail
PY=${PYTHON:-python3}
want=5.2.1
if ! "$PY" -c "import moto, sys; sys.exit(0 if moto.__version__ == '$want' else 1)" 2>/dev/null \
   || ! "$PY" -c "import flask, flask_cors, werkzeug, boto3" 2>/dev/null; then
  "$PY" -m pip install --quiet --user "moto[server]==$want" boto3 \
    || "$PY" -m pip install --quiet --break-system-packages --user "moto[server]==$want" boto3
fi
if ! command -v aws >/dev/null 2>&1 && [ ! -x "$(dirname "$PY")/aws" ]; then
  "$PY" -m pip install --quiet --user awscli \
    || "$PY" -m pip install --quiet --break-system-packages --user awscli
fi
"$PY" -c "import moto; print('moto', moto.__version__)"
