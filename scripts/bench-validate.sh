#!/usr/bin/env bash
# Benchmark: `sessionlog validate` vs the pinned cfn-lint, in one run:
#
#   1. the rendered templates (templates/*.yaml), RUNS runs each tool;
#   2. cfn-lint's fixture corpus (188 templates of cfn-lint 1.51.0's sdist,
#      unpacked by scripts/test-setup.sh), all of it in ONE process per tool,
#      CORPUS_RUNS runs;
#   3. hostile input (an alias bomb in a template and in a configuration,
#      1,000,000-deep nesting, 20,000 findings, a 300 kB minified line):
#      sessionlog's wall time and peak memory, CHECKED against bounds —
#      the one place the suite checks time and memory.
#
# Median wall time, peak RSS (/usr/bin/time -v), ratios. Parts 1 and 2
# never fail on speed; part 3 exits 1 when a bound is exceeded.
#
#   scripts/bench-validate.sh [TEMPLATE…]
#
# Defaults: templates/*.yaml (else tests/validate/base/*.yaml), RUNS=15,
# CORPUS_RUNS=3, SESSIONLOG=target/release/sessionlog (built if missing),
# CFN_LINT=cfn-lint.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-15}"
CORPUS_RUNS="${CORPUS_RUNS:-3}"
SESSIONLOG="${SESSIONLOG:-${CARGO_TARGET_DIR:-target}/release/sessionlog}"
CFN_LINT="${CFN_LINT:-cfn-lint}"
CFN_LINT_VERSION="1.51.0"
CORPUS=".cache/cfn-lint-${CFN_LINT_VERSION}"

if [ "$#" -gt 0 ]; then
  templates=("$@")
elif compgen -G "templates/*.yaml" >/dev/null; then
  templates=(templates/*.yaml)
else
  templates=(tests/validate/base/*.yaml)
fi

if [ ! -x /usr/bin/time ]; then
  if command -v apt-get >/dev/null; then
    echo "installing GNU time (Debian package \`time\`)…" >&2
    apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
  else
    echo "/usr/bin/time (GNU time) is needed for peak memory" >&2
    exit 1
  fi
fi
if [ ! -x "$SESSIONLOG" ]; then
  echo "building $SESSIONLOG (cargo build --release)…" >&2
  cargo build --release --locked --quiet
fi
if ! "$CFN_LINT" --version 2>&1 | grep -q "$CFN_LINT_VERSION"; then
  if [ -x .venv/bin/cfn-lint ]; then
    CFN_LINT=.venv/bin/cfn-lint
  else
    echo "cfn-lint $CFN_LINT_VERSION not found: run make setup" >&2
    exit 1
  fi
fi
if [ ! -f "$CORPUS/.complete" ]; then
  echo "the cfn-lint fixture corpus is missing: run make setup" >&2
  exit 1
fi

python3 - "$RUNS" "$CORPUS_RUNS" "$SESSIONLOG" "$CFN_LINT" "$CORPUS" "${#templates[@]}" "${templates[@]}" <<'PY'
import json, os, statistics, subprocess, sys, tempfile, time

runs, corpus_runs = int(sys.argv[1]), int(sys.argv[2])
sessionlog, cfn_lint, corpus = sys.argv[3], sys.argv[4], sys.argv[5]
count = int(sys.argv[6])
files = sys.argv[7:7 + count]


def measure(cmd, cwd=None):
    """(wall seconds, peak RSS KiB, exit code) of one run under GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-v", "-o", out.name, *cmd], cwd=cwd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        rss = next(int(line.split(":")[1]) for line in out.read().splitlines()
                   if "Maximum resident set size" in line)
    return wall, rss, proc.returncode


def compare(title, tools, n, cwd=None):
    results = {}
    for name, cmd in tools.items():
        measure(cmd, cwd)  # warm the page cache
        samples = [measure(cmd, cwd) for _ in range(n)]
        walls = [s[0] for s in samples]
        results[name] = (statistics.median(walls), min(walls), max(walls), max(s[1] for s in samples))
    print(title)
    print(f"  {'tool':<22}{'median':>12}{'min':>12}{'max':>12}{'peak RSS':>14}")
    for name, (median, lo, hi, kib) in results.items():
        print(f"  {name:<22}{median*1000:>10.1f}ms{lo*1000:>10.1f}ms{hi*1000:>10.1f}ms{kib/1024:>11.1f}MiB")
    ours, theirs = results["sessionlog validate"], results["cfn-lint"]
    print(f"  speed: sessionlog is {theirs[0]/ours[0]:.0f}x faster than cfn-lint (median wall time); "
          f"memory: {theirs[3]/ours[3]:.0f}x less peak RSS")
    print()


# 1. Rendered templates.
compare(f"{count} rendered templates, {runs} runs each: {' '.join(files)}", {
    "sessionlog validate": [sessionlog, "validate", "--regions", "us-east-1", "--", *files],
    "cfn-lint": [cfn_lint, "--regions", "us-east-1", "--", *files],
}, runs)

# 2. The fixture corpus, all of it in one process per tool.
corpus_files = sorted(os.path.relpath(os.path.join(d, f), corpus)
                      for kind in ("good", "bad")
                      for d, _, fs in os.walk(os.path.join(corpus, kind)) for f in fs)
compare(f"cfn-lint's fixture corpus: {len(corpus_files)} templates in one process per tool, {corpus_runs} runs each", {
    "sessionlog validate": [sessionlog, "validate", "--regions", "us-east-1", "--", *corpus_files],
    "cfn-lint": [cfn_lint, "--regions", "us-east-1", "--", *corpus_files],
}, corpus_runs, cwd=corpus)

# 3. Hostile input, with bounds.
tmp = tempfile.mkdtemp(prefix="sessionlog-hostile-")
def write(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path

bomb = "Resources:\n  Bomb:\n    Type: AWS::CloudFormation::WaitConditionHandle\n    Metadata:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
for i in range(1, 9):
    bomb += f"      l{i}: &l{i} [{', '.join([f'*l{i-1}'] * 10)}]\n"
with open("src/config/example.sessionlog.yaml") as f:
    example = f.read()
config_bomb = example + "\nbomb:\n  " + bomb.strip().replace("\n", "\n  ") + "\n"
def findings(n):
    return "Resources:\n" + "".join(f"  T{i}:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicNam: t{i}\n" for i in range(n))
topics = ",".join(f'"T{i}":{{"Type":"AWS::SNS::Topic","Properties":{{"TopicName":"t{i}"}}}}' for i in range(5000))
long_line = '{"Resources":{' + topics + ',"Bad":{"Type":"AWS::SNS::Topic","Properties":{"TopicNam":"x"}}}}'

# (name, command, wall bound s, RSS bound MiB)
cases = [
    (f"alias bomb ({len(bomb)} bytes, 10^9 values)", [sessionlog, "validate", write("bomb.yaml", bomb)], 1.0, 100),
    ("alias bomb in the configuration", [sessionlog, "render", "--check", "--config", write("sessionlog.yaml", config_bomb), "--out-dir", tmp], 1.0, 100),
    ("1,000,000-deep flow nesting", [sessionlog, "validate", write("deep.yaml", "Resources: " + "[" * 1_000_000)], 1.0, 100),
    ("1,000,000-deep JSON nesting", [sessionlog, "validate", write("deep.json", '{"Resources": ' + "[" * 1_000_000)], 1.0, 100),
    ("10,000 findings", [sessionlog, "validate", write("f10k.yaml", findings(10_000))], 5.0, 300),
    ("20,000 findings", [sessionlog, "validate", write("f20k.yaml", findings(20_000))], 10.0, 600),
    (f"a {len(long_line) // 1000} kB minified line", [sessionlog, "validate", write("long.json", long_line)], 2.0, 200),
]
print("hostile input (sessionlog; checked against the bounds)")
print(f"  {'input':<34}{'wall':>10}{'bound':>9}{'peak RSS':>12}{'bound':>10}{'exit':>6}")
failed = []
walls = {}
for name, cmd, wall_bound, rss_bound in cases:
    wall, rss, code = measure(cmd)
    walls[name] = wall
    ok = wall <= wall_bound and rss / 1024 <= rss_bound
    print(f"  {name:<34}{wall*1000:>8.0f}ms{wall_bound:>8.1f}s{rss/1024:>10.1f}MiB{rss_bound:>7}MiB{code:>6}{'' if ok else '  EXCEEDED'}")
    if not ok:
        failed.append(name)
ratio = walls["20,000 findings"] / walls["10,000 findings"]
linear = ratio < 3.0
print(f"  twice the findings take {ratio:.1f}x the time (linear: < 3x){'' if linear else '  EXCEEDED'}")
if not linear:
    failed.append("linear report")
if failed:
    print(f"bounds exceeded: {', '.join(failed)}")
    sys.exit(1)
PY
