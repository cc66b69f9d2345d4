#!/usr/bin/env python3
"""Vendor the CloudFormation registry from a pinned cfn-lint.

Writes, for every resource type cfn-lint knows in the reference region:
  schemas/cloudformation/registry/<aws-service-type>.json
        the provider schema, minified, documentation keywords removed
        (description, examples, handlers, …: the checks never read them),
        plus "getAtts": the attributes Fn::GetAtt may name, as cfn-lint
        computes them (readOnlyProperties, every property for the types
        CloudFormation lets you GetAtt a property of, regex names such as
        `Outputs\\..*` for nested stacks)
  schemas/cloudformation/availability.json
        every type of every region -> index of the set of regions where it is
        NOT available
  schemas/cloudformation/lambda-runtimes.json
        Lambda runtime deprecation dates (cfn-lint's LmbdRuntimeLifecycle.json)
  schemas/cloudformation/manifest.json
        source (cfn-lint version), reference region, per type its schema hash
        and the regions where cfn-lint has another revision of it
  src/aws/registry/vendored.rs
        the include_str! table (generated)

Usage: scripts/vendor-cfn-schemas.py [--check]
cfn-lint is pinned: the first of this Python, .venv/bin/python (see
scripts/test-setup.sh) and .venv-cfn-lint/bin/python whose cfnlint is
CFN_LINT_VERSION is used; else .venv-cfn-lint is created with it.
--check regenerates into memory and exits 1 if a committed file differs.
"""
import glob
import json
import os
import subprocess
import sys

CFN_LINT_VERSION = "1.51.0"
REFERENCE_REGION = "us-east-1"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "schemas", "cloudformation")
REGISTRY = os.path.join(OUT, "registry")
RUST_TABLE = os.path.join(ROOT, "src", "aws", "registry", "vendored.rs")
VENV = os.path.join(ROOT, ".venv-cfn-lint")

# Schema keywords the validator never reads. Removed wherever they are a
# keyword of a schema object (never where they name a property).
DOCUMENTATION = {
    "$comment", "$schema", "description", "markdownDescription", "examples",
    "documentationUrl", "sourceUrl", "handlers", "tagging", "propertyTransform",
    "deprecatedProperties", "resourceLink", "replacementStrategy", "cfnLint",
    "conditionalCreateOnlyProperties", "writeOnlyProperties",
    "additionalIdentifiers", "typeNameDescription", "title",
}
# Keywords whose value maps names to schemas.
NAMED_SCHEMAS = {"properties", "patternProperties", "definitions", "dependentSchemas"}


def pinned_python():
    probe = "import cfnlint.version; print(cfnlint.version.__version__)"
    for python in (sys.executable, os.path.join(ROOT, ".venv", "bin", "python"),
                   os.path.join(VENV, "bin", "python")):
        if not os.path.exists(python):
            continue
        res = subprocess.run([python, "-c", probe], capture_output=True, text=True)
        if res.returncode == 0 and res.stdout.strip() == CFN_LINT_VERSION:
            return python
    print(f"installing cfn-lint=={CFN_LINT_VERSION} into {VENV}", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "--quiet",
                    f"cfn-lint=={CFN_LINT_VERSION}"], check=True)
    return os.path.join(VENV, "bin", "python")


def strip(schema):
    """The schema without documentation keywords."""
    if isinstance(schema, list):
        return [strip(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in DOCUMENTATION:
            continue
        if key in NAMED_SCHEMAS and isinstance(value, dict):
            out[key] = {name: strip(sub) for name, sub in value.items()}
        elif key in ("enum", "const", "default", "required", "readOnlyProperties",
                     "primaryIdentifier", "createOnlyProperties"):
            out[key] = value
        else:
            out[key] = strip(value)
    return out


def file_name(type_name):
    return type_name.lower().replace("::", "-") + ".json"


def collect():
    """Everything vendored, computed inside the pinned cfn-lint's Python."""
    import cfnlint
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    package = os.path.dirname(cfnlint.__file__)
    schemas_dir = os.path.join(package, "data", "schemas")
    tables = {}
    for path in sorted(glob.glob(os.path.join(schemas_dir, "providers", "*.py"))):
        name = os.path.basename(path)[:-3]
        if name.startswith("__"):
            continue
        namespace = {}
        exec(compile(open(path).read(), path, "exec"), namespace)
        tables[name.replace("_", "-")] = namespace["types"]
    regions = sorted(tables)
    all_types = sorted({t for table in tables.values() for t in table})

    schemas, manifest = {}, {}
    for type_name, digest in sorted(tables[REFERENCE_REGION].items()):
        with open(os.path.join(schemas_dir, "resources", digest + ".json")) as f:
            schema = strip(json.load(f))
        getatts = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REFERENCE_REGION, type_name).get_atts
        schema["getAtts"] = sorted(getatts.keys())
        schemas[type_name] = json.dumps(schema, separators=(",", ":"), sort_keys=True) + "\n"
        others = sorted(r for r, t in tables.items() if t.get(type_name) not in (None, digest))
        manifest[type_name] = {"hash": digest, "regions_with_other_schema": others}

    sets, types = [], {}
    for t in all_types:
        missing = [r for r in regions if t not in tables[r]]
        if missing not in sets:
            sets.append(missing)
        types[t] = sets.index(missing)
    availability = {"source": f"cfn-lint {CFN_LINT_VERSION}", "regions": regions,
                    "unavailable_sets": sets, "types": types}
    with open(os.path.join(package, "data", "AdditionalSpecs", "LmbdRuntimeLifecycle.json")) as f:
        runtimes = json.load(f)
    return {"schemas": schemas, "manifest": manifest, "availability": availability,
            "runtimes": runtimes, "all_types": len(all_types), "regions": len(regions)}


def render(data):
    """path -> text of every generated file."""
    files = {}
    for type_name, text in data["schemas"].items():
        files[os.path.join(REGISTRY, file_name(type_name))] = text
    files[os.path.join(OUT, "availability.json")] = json.dumps(
        data["availability"], separators=(",", ":"), sort_keys=True) + "\n"
    files[os.path.join(OUT, "lambda-runtimes.json")] = json.dumps(
        {"source": f"cfn-lint {CFN_LINT_VERSION} (data/AdditionalSpecs/LmbdRuntimeLifecycle.json)",
         "runtimes": data["runtimes"]}, indent=1, sort_keys=True) + "\n"
    manifest_lines = ["{", f' "source": "cfn-lint",', f' "version": "{CFN_LINT_VERSION}",',
                      f' "reference_region": "{REFERENCE_REGION}",', ' "types": {']
    items = sorted(data["manifest"].items())
    for i, (type_name, entry) in enumerate(items):
        comma = "," if i + 1 < len(items) else ""
        manifest_lines.append(f"  {json.dumps(type_name)}: {json.dumps(entry, sort_keys=True)}{comma}")
    manifest_lines += [" }", "}"]
    files[os.path.join(OUT, "manifest.json")] = "\n".join(manifest_lines) + "\n"
    lines = [
        "// @generated by scripts/vendor-cfn-schemas.py - do not edit.",
        f"//! The CloudFormation registry vendored from cfn-lint {CFN_LINT_VERSION} "
        f"(reference region {REFERENCE_REGION}).",
        "",
        f"pub const SOURCE_VERSION: &str = \"cfn-lint {CFN_LINT_VERSION}\";",
        "",
        "pub const AVAILABILITY: &str = include_str!(\"../../../schemas/cloudformation/availability.json\");",
        "",
        "pub const LAMBDA_RUNTIMES: &str = include_str!(\"../../../schemas/cloudformation/lambda-runtimes.json\");",
        "",
        "/// (type name, provider schema JSON), sorted by type name.",
        "pub const SCHEMAS: &[(&str, &str)] = &[",
    ]
    for type_name in sorted(data["schemas"]):
        lines.append(f"    (\"{type_name}\", include_str!(\"../../../schemas/cloudformation/registry/{file_name(type_name)}\")),")
    lines.append("];")
    files[RUST_TABLE] = "\n".join(lines) + "\n"
    return files


def main():
    python = pinned_python()
    if os.path.realpath(python) != os.path.realpath(sys.executable):
        sys.exit(subprocess.run([python, __file__, *sys.argv[1:]]).returncode)
    data = collect()
    files = render(data)
    if "--check" in sys.argv:
        stale = [p for p, text in files.items()
                 if not os.path.exists(p) or open(p).read() != text]
        existing = set(glob.glob(os.path.join(REGISTRY, "*.json")))
        extra = sorted(existing - set(files))
        if stale or extra:
            sys.exit(f"vendored registry out of date: {len(stale)} differ, {len(extra)} extra "
                     f"(run scripts/vendor-cfn-schemas.py)")
        print("vendored registry up to date")
        return
    os.makedirs(REGISTRY, exist_ok=True)
    for old in glob.glob(os.path.join(REGISTRY, "*.json")) + glob.glob(os.path.join(OUT, "aws-*.json")):
        if old not in files:
            os.remove(old)
    for path, text in files.items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    size = sum(len(t) for t in data["schemas"].values())
    print(f"vendored {len(data['schemas'])} schemas ({size:,} bytes), availability of "
          f"{data['all_types']} types in {data['regions']} regions, "
          f"{len(data['runtimes'])} Lambda runtimes, from cfn-lint {CFN_LINT_VERSION}")


if __name__ == "__main__":
    main()
