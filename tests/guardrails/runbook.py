"""A small interpreter of SSM Automation runbooks (schemaVersion 0.3) for
tests: `aws:executeAwsApi` steps become boto3 calls, `{{ Parameter }}`
references are substituted. Anything else (another action, an unknown
parameter, a missing required one) is an error, so a runbook this cannot
run fails the test instead of being skipped."""
import re

REF = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


class RunbookError(Exception):
    pass


def snake(api):
    # UpdateTrail -> update_trail, PutEventSelectors -> put_event_selectors
    return re.sub(r"(?<!^)(?=[A-Z])", "_", api).lower()


def substitute(value, params):
    if isinstance(value, str):
        whole = REF.fullmatch(value.strip())
        if whole:
            return lookup(whole.group(1), params)
        return REF.sub(lambda m: str(lookup(m.group(1), params)), value)
    if isinstance(value, list):
        return [substitute(v, params) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, params) for k, v in value.items()}
    return value


def lookup(name, params):
    if name not in params:
        raise RunbookError(f"the runbook refers to an undeclared parameter {name!r}")
    return params[name]


def bind(document, given):
    if document.get("schemaVersion") != "0.3":
        raise RunbookError(f"not an Automation runbook: schemaVersion {document.get('schemaVersion')!r}")
    declared = document.get("parameters", {})
    unknown = set(given) - set(declared)
    if unknown:
        raise RunbookError(f"parameters the runbook does not declare: {sorted(unknown)}")
    params = {}
    for name, spec in declared.items():
        if name in given:
            params[name] = given[name]
        elif "default" in spec:
            params[name] = spec["default"]
        else:
            raise RunbookError(f"required parameter {name!r} not given")
    if "assumeRole" in document:
        substitute(document["assumeRole"], params)
    return params


def run(document, given, session):
    """Execute the runbook's steps with `session`; return the calls made."""
    params = bind(document, given)
    calls = []
    for step in document.get("mainSteps", []):
        if step.get("action") != "aws:executeAwsApi":
            raise RunbookError(f"step {step.get('name')!r}: unsupported action {step.get('action')!r}")
        inputs = substitute(step["inputs"], params)
        service, api = inputs.pop("Service"), inputs.pop("Api")
        client = session.client(service)
        method = getattr(client, snake(api))
        calls.append((service, api, inputs))
        method(**inputs)
        if step.get("isEnd"):
            break
    return calls
