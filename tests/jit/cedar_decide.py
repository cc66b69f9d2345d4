"""Cedar's own engine (the `cedarpy` binding of cedar-policy, pinned in
scripts/test-setup.sh) for tests/jit_cedar.rs.

stdin:  {"schema": "<cedar schema>",
         "validate": {"<id>": "<policies>", ...},
         "requests": [{"policies": "<policies>", "principal": "...",
                       "resource": "...", "entities": [...]}, ...]}
stdout: {"validation": {"<id>": {"passed": bool, "errors": [str]}},
         "decisions": [{"decision": "Allow" | "Deny", "errors": [str]}]}
"""
import json
import sys

import cedarpy

ACTION = 'AWS::SSM::Action::"getTokenForInstanceAccess"'


def main():
    job = json.load(sys.stdin)
    schema = job["schema"]
    validation = {}
    for name, text in job["validate"].items():
        result = cedarpy.validate_policies(text, schema)
        validation[name] = {
            "passed": bool(result.validation_passed),
            "errors": [str(e) for e in result.errors],
        }
    decisions = []
    for r in job["requests"]:
        request = {"principal": r["principal"], "action": ACTION, "resource": r["resource"], "context": {}}
        result = cedarpy.is_authorized(request, r["policies"], r["entities"], schema=schema)
        decisions.append({
            "decision": "Allow" if result.decision == cedarpy.Decision.Allow else "Deny",
            "errors": [str(e) for e in result.diagnostics.errors],
        })
    json.dump({"validation": validation, "decisions": decisions}, sys.stdout)


if __name__ == "__main__":
    main()
