#!/usr/bin/env python3
"""Vendor CloudFormation resource provider schemas from a pinned cfn-lint.

Writes, for the resource types sessionlog's validator checks:
  schemas/cloudformation/<aws-service-type>.json  one provider schema per type
  schemas/cloudformation/availability.json        every type cfn-lint knows ->
                                                  index of the set of regions where
                                                  it is NOT available
  schemas/cloudformation/manifest.json            source (cfn-lint version), types,
                                                  schema hash per type
  src/validate/schema/vendored.rs                 include_str! table (generated)

The schema of a type is the one cfn-lint ships for us-east-1 (a few types have
a slightly different schema in 1-2 regions; the manifest records which).

Usage: scripts/vendor-cfn-schemas.py            (uses/creates .venv-cfn-lint)
cfn-lint is pinned: if the importable cfnlint is not CFN_LINT_VERSION, a venv
is created under .venv-cfn-lint and the pinned version installed there.
"""
import glob
import json
import os
import subprocess
import sys

CFN_LINT_VERSION = "1.51.0"
REFERENCE_REGION = "us-east-1"
TYPES = [
    "AWS::CloudFormation::CustomResource",
    "AWS::CloudFormation::WaitConditionHandle",
    "AWS::CloudTrail::Trail",
    "AWS::Config::ConfigRule",
    "AWS::Config::RemediationConfiguration",
    "AWS::Events::Rule",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Policy",
    "AWS::IAM::Role",
    "AWS::IAM::RolePolicy",
    "AWS::KMS::Alias",
    "AWS::KMS::Key",
    "AWS::KMS::ReplicaKey",
    "AWS::KinesisFirehose::DeliveryStream",
    "AWS::Lambda::Function",
    "AWS::Lambda::Permission",
    "AWS::Logs::Destination",
    "AWS::Logs::LogGroup",
    "AWS::Logs::LogStream",
    "AWS::Logs::ResourcePolicy",
    "AWS::Logs::SubscriptionFilter",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::SSM::Association",
    "AWS::SSM::Document",
    "AWS::SSM::Parameter",
    "AWS::SSMGuiConnect::Preferences",
    "AWS::SSO::PermissionSet",
]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "schemas", "cloudformation")
RUST_TABLE = os.path.join(ROOT, "src", "validate", "schema", "vendored.rs")
VENV = os.path.join(ROOT, ".venv-cfn-lint")


def ensure_pinned_cfnlint():
    """Return the cfnlint package directory of the pinned version."""
    probe = "import cfnlint, cfnlint.version, os; print(cfnlint.version.__version__); print(os.path.dirname(cfnlint.__file__))"
    for python in (sys.executable, os.path.join(VENV, "bin", "python")):
        if not os.path.exists(python):
            continue
        res = subprocess.run([python, "-c", probe], capture_output=True, text=True)
        if res.returncode == 0:
            version, path = res.stdout.split()
            if version == CFN_LINT_VERSION:
                return version, path
    print(f"installing cfn-lint=={CFN_LINT_VERSION} into {VENV}", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    pip = os.path.join(VENV, "bin", "pip")
    subprocess.run([pip, "install", "--quiet", f"cfn-lint=={CFN_LINT_VERSION}"], check=True)
    res = subprocess.run([os.path.join(VENV, "bin", "python"), "-c", probe],
                         capture_output=True, text=True, check=True)
    return tuple(res.stdout.split())


def region_tables(schemas_dir):
    """region -> {type: schema hash}, from cfnlint/data/schemas/providers/<region>.py."""
    tables = {}
    for path in sorted(glob.glob(os.path.join(schemas_dir, "providers", "*.py"))):
        name = os.path.basename(path)[:-3]
        if name.startswith("__"):
            continue
        namespace = {}
        exec(compile(open(path).read(), path, "exec"), namespace)
        tables[name.replace("_", "-")] = namespace["types"]
    return tables


def file_name(type_name):
    return type_name.lower().replace("::", "-") + ".json"


def main():
    version, package = ensure_pinned_cfnlint()
    schemas_dir = os.path.join(package, "data", "schemas")
    tables = region_tables(schemas_dir)
    regions = sorted(tables)
    all_types = sorted({t for table in tables.values() for t in table})

    os.makedirs(OUT, exist_ok=True)
    for old in glob.glob(os.path.join(OUT, "*.json")):
        os.remove(old)

    manifest_types = {}
    for type_name in TYPES:
        digest = tables[REFERENCE_REGION][type_name]
        with open(os.path.join(schemas_dir, "resources", digest + ".json")) as f:
            schema = json.load(f)
        with open(os.path.join(OUT, file_name(type_name)), "w") as f:
            json.dump(schema, f, indent=1, sort_keys=True)
            f.write("\n")
        differs = sorted(r for r, t in tables.items() if t.get(type_name) not in (None, digest))
        manifest_types[type_name] = {"file": file_name(type_name), "hash": digest,
                                     "regions_with_other_schema": differs}

    # Types share few distinct "unavailable in" region sets: store each set once.
    sets, types = [], {}
    for t in all_types:
        missing = [r for r in regions if t not in tables[r]]
        if missing not in sets:
            sets.append(missing)
        types[t] = sets.index(missing)
    availability = {
        "source": f"cfn-lint {version}",
        "regions": regions,
        "unavailable_sets": sets,
        "types": types,
    }
    with open(os.path.join(OUT, "availability.json"), "w") as f:
        json.dump(availability, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"source": "cfn-lint", "version": version,
                   "reference_region": REFERENCE_REGION, "types": manifest_types},
                  f, indent=1, sort_keys=True)
        f.write("\n")

    lines = [
        "// @generated by scripts/vendor-cfn-schemas.py - do not edit.",
        f"//! Provider schemas vendored from cfn-lint {version} (reference region {REFERENCE_REGION}).",
        "",
        f"pub const SOURCE_VERSION: &str = \"cfn-lint {version}\";",
        "",
        "pub const AVAILABILITY: &str = include_str!(\"../../../schemas/cloudformation/availability.json\");",
        "",
        "/// (type name, provider schema JSON), sorted by type name.",
        "pub const SCHEMAS: &[(&str, &str)] = &[",
    ]
    for type_name in sorted(TYPES):
        lines.append(f"    (\"{type_name}\", include_str!(\"../../../schemas/cloudformation/{file_name(type_name)}\")),")
    lines.append("];")
    os.makedirs(os.path.dirname(RUST_TABLE), exist_ok=True)
    with open(RUST_TABLE, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"vendored {len(TYPES)} schemas, availability of {len(all_types)} types in "
          f"{len(regions)} regions, from cfn-lint {version}")


if __name__ == "__main__":
    main()
