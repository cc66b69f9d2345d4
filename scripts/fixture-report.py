#!/usr/bin/env python3
"""`sessionlog validate` against cfn-lint on cfn-lint's own fixture corpus.

Validates every template of .cache/cfn-lint-<version>/{good,bad,public,quickstart} (unpacked by
scripts/test-setup.sh) with one `sessionlog validate` process, reads cfn-lint's
verdicts from tests/validate/fixtures/cfn-lint-verdicts.json, and prints, with
the categories of tests/validate/fixtures/categories.yaml:

  - good fixtures: templates where sessionlog reports an error and cfn-lint
    none (false alarms), and per category;
  - bad fixtures: per category, the templates where cfn-lint reports an error
    of that category and sessionlog none (misses).

tests/validate_fixtures.rs asserts the same counts in-process; this script
measures any binary, e.g. the one before a change:

  scripts/fixture-report.py [--sessionlog BIN] [--list] [--json OUT]
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "validate", "fixtures")


def load_yaml(path):
    try:
        import yaml  # PyYAML, a dependency of cfn-lint (in .venv)
    except ImportError:
        sys.exit("PyYAML missing: run with .venv/bin/python (scripts/test-setup.sh installs it)")
    with open(path) as f:
        return yaml.safe_load(f)


def category_index(categories):
    cfn, ours = {}, {}
    for name, c in categories.items():
        for rule in c.get("cfn_lint") or []:
            cfn[rule] = name
        for rule in c.get("sessionlog") or []:
            ours[rule] = name
    return cfn, ours


def run_sessionlog(binary, corpus, files, as_of, regions):
    cmd = [binary, "validate", "--format", "json", "--regions", *regions]
    if as_of:
        help_text = subprocess.run([binary, "validate", "--help"], capture_output=True, text=True).stdout
        if "--as-of" in help_text:
            cmd += ["--as-of", as_of]
    cmd += ["--", *files]
    out = subprocess.run(cmd, cwd=corpus, capture_output=True, text=True)
    if not out.stdout.strip():
        sys.exit(f"sessionlog printed no report (exit {out.returncode}): {out.stderr}")
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessionlog", default=os.path.join(ROOT, "target", "release", "sessionlog"))
    parser.add_argument("--list", action="store_true", help="list the templates of each count")
    parser.add_argument("--json", help="also write the counts as JSON to this file")
    args = parser.parse_args()

    verdicts = json.load(open(os.path.join(FIXTURES, "cfn-lint-verdicts.json")))
    categories = load_yaml(os.path.join(FIXTURES, "categories.yaml"))
    cfn_cat, our_cat = category_index(categories)
    corpus = os.path.join(ROOT, ".cache", f"cfn-lint-{verdicts['cfn_lint']}")
    if not os.path.isdir(corpus):
        sys.exit(f"{corpus} missing: run scripts/test-setup.sh")
    files = sorted(verdicts["files"])
    report = run_sessionlog(args.sessionlog, corpus, files, verdicts["as_of"], verdicts["regions"])

    def cfn_errors(f):
        return {cfn_cat.get(r, "service-semantics") for r, _ in verdicts["files"][f] if r.startswith("E")}

    ours = {f: set() for f in files}
    our_rules = {f: set() for f in files}
    for finding in report["findings"]:
        if finding["severity"] == "error" and finding["file"] in ours:
            ours[finding["file"]].add(our_cat.get(finding["rule"], "other"))
            our_rules[finding["file"]].add(finding["rule"])

    good = [f for f in files if f.startswith(("good/", "public/", "quickstart/"))]
    bad = [f for f in files if f.startswith("bad/")]
    false_alarms = [f for f in good if ours[f] and not cfn_errors(f)]
    structural = [f for f in false_alarms if ours[f] - {"security-invariants"}]
    per_category_fa = {}
    for f in good:
        for c in ours[f] - cfn_errors(f):
            per_category_fa.setdefault(c, []).append(f)
    misses = {}
    for name, c in categories.items():
        found_by_cfn = [f for f in bad if name in cfn_errors(f)]
        if not found_by_cfn:
            continue
        missed = [f for f in found_by_cfn if name not in ours[f]]
        misses[name] = {"owed": c.get("owed", False), "cfn_lint": len(found_by_cfn), "missed": missed}

    print(f"sessionlog: {args.sessionlog}")
    print(f"cfn-lint {verdicts['cfn_lint']} fixtures, regions {', '.join(verdicts['regions'])}, as of {verdicts['as_of']}")
    print(f"good: {len(good)} templates, cfn-lint errors in {sum(1 for f in good if cfn_errors(f))}")
    print(f"  false alarms (sessionlog error, cfn-lint none): {len(false_alarms)} "
          f"({len(structural)} from rules other than the security invariants)")
    if args.list:
        for f in false_alarms:
            print(f"    {f}: {', '.join(sorted(our_rules[f]))}")
    print("  sessionlog error categories cfn-lint does not report on the same template:")
    for c, fs in sorted(per_category_fa.items()):
        print(f"    {c:<22}{len(fs):>4}" + (f"  {', '.join(fs)}" if args.list else ""))
    print(f"bad: {len(bad)} templates")
    print(f"  {'category':<22}{'owed':>6}{'cfn-lint':>10}{'missed':>8}")
    for name, m in misses.items():
        print(f"  {name:<22}{'yes' if m['owed'] else 'no':>6}{m['cfn_lint']:>10}{len(m['missed']):>8}"
              + (f"  {', '.join(m['missed'])}" if args.list and m["missed"] else ""))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"false_alarms": false_alarms, "false_alarm_categories": per_category_fa,
                       "misses": misses}, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
