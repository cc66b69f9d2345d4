#!/usr/bin/env bash
# Benchmark: `sessionlog validate` vs the pinned cfn-lint on the same
# templates, in one run. Prints the median wall time and peak memory of
# each and the speed ratio. A benchmark, not a test: it never fails on speed.
#
#   scripts/bench-validate.sh [TEMPLATE…]
#
# Defaults: templates/*.yaml (else tests/validate/base/*.yaml), RUNS=15,
# SESSIONLOG=target/release/sessionlog (built if missing), CFN_LINT=cfn-lint.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-15}"
SESSIONLOG="${SESSIONLOG:-target/release/sessionlog}"
CFN_LINT="${CFN_LINT:-cfn-lint}"
CFN_LINT_VERSION="1.51.0"

if [ "$#" -gt 0 ]; then
  templates=("$@")
elif compgen -G "templates/*.yaml" >/dev/null; then
  templates=(templates/*.yaml)
else
  templates=(tests/validate/base/*.yaml)
fi

if [ ! -x "$SESSIONLOG" ]; then
  echo "building $SESSIONLOG (cargo build --release)…" >&2
  cargo build --release --quiet
fi
if ! "$CFN_LINT" --version 2>&1 | grep -q "$CFN_LINT_VERSION"; then
  if [ -x .venv-cfn-lint/bin/cfn-lint ]; then
    CFN_LINT=.venv-cfn-lint/bin/cfn-lint
  else
    echo "cfn-lint $CFN_LINT_VERSION not found: run scripts/vendor-cfn-schemas.py (creates .venv-cfn-lint)" >&2
    exit 1
  fi
fi

python3 - "$RUNS" "${#templates[@]}" "$SESSIONLOG" "$CFN_LINT" "${templates[@]}" <<'PY'
import statistics, subprocess, sys, tempfile, time

runs, count = int(sys.argv[1]), int(sys.argv[2])
sessionlog, cfn_lint = sys.argv[3], sys.argv[4]
files = sys.argv[5:5 + count]
tools = {
    "sessionlog validate": [sessionlog, "validate", *files],
    f"cfn-lint": [cfn_lint, "--regions", "us-east-1", "--", *files],
}

def wall(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start

def peak_kib(cmd):
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name, *cmd],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(out.read().strip().splitlines()[-1])

results = {}
for name, cmd in tools.items():
    wall(cmd)  # warm the page cache
    times = [wall(cmd) for _ in range(runs)]
    results[name] = (statistics.median(times), min(times), max(times), peak_kib(cmd))

print(f"{count} templates, {runs} runs each: {' '.join(files)}")
print(f"{'tool':<22}{'median':>12}{'min':>12}{'max':>12}{'peak RSS':>14}")
for name, (median, lo, hi, kib) in results.items():
    print(f"{name:<22}{median*1000:>10.1f}ms{lo*1000:>10.1f}ms{hi*1000:>10.1f}ms{kib/1024:>11.1f}MiB")
ours, theirs = results["sessionlog validate"], results["cfn-lint"]
print(f"speed: sessionlog is {theirs[0]/ours[0]:.0f}x faster than cfn-lint (median wall time); "
      f"memory: {theirs[3]/ours[3]:.0f}x less peak RSS")
PY
