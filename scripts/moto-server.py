#!/usr/bin/env python3
"""moto 5.2.1 server for sessionlog's deploy tests, on 127.0.0.1 only.

Starts moto's WSGI app on a free port (or --port), prints `READY <port>` on
stdout once it accepts connections, and exits when its parent process dies or
after --max-seconds, whichever comes first, so a crashed test never leaks it.

moto 5.2.1 gets a few things wrong that the deploy path depends on. Each
patch below restores the documented AWS behaviour (see
tests/deploy/MOTO_NOTES.md); none of them makes a failing call succeed
that AWS would reject.
"""
import argparse
import json
import os
import sys
import threading
import time

import moto
from moto.cloudformation import models as cfm
from moto.cloudformation import responses as cfr
from moto.core.common_models import CloudFormationModel
from moto.cloudformation.exceptions import CloudFormationError
from moto.kms import models as kmsm
from moto.logs import models as logsm
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

if moto.__version__ != "5.2.1":
    print(f"warning: patches written for moto 5.2.1, found {moto.__version__}", file=sys.stderr)


# 1. ExecuteChangeSet: moto applies the resources but never recomputes the
#    stack's outputs or parameters, so a stack created through a change set
#    has no Outputs.
_orig_apply = cfm.ChangeSet.apply


def _apply(self):
    _orig_apply(self)
    stack = self.stack
    stack.template = self.template
    stack._parse_template()
    if self.parameters:
        stack.parameters = self.parameters
    stack.output_map = stack._create_output_map()


cfm.ChangeSet.apply = _apply


# 2. Service-managed stack instances: honour DeploymentTargets.AccountFilterType
#    (moto unions the listed accounts with the OUs), nested OUs, never target
#    the management account, and never create a second instance for an
#    account/region that already has one.
def _org_accounts(stack_instances, deployment_targets, accounts):
    org = stack_instances.org_backend
    ous = set(deployment_targets.get("OrganizationalUnitIds", []) or [])
    changed = True
    while changed:
        changed = False
        for ou in org.ou:
            if getattr(ou, "parent_id", None) in ous and ou.id not in ous:
                ous.add(ou.id)
                changed = True
    master = org.org.master_account_id if org.org else None
    in_ous = [a.id for a in org.accounts if a.parent_id in ous and a.id != master]
    listed = list(deployment_targets.get("Accounts", []) or []) or list(accounts or [])
    mode = deployment_targets.get("AccountFilterType", "NONE") or "NONE"
    if not ous:
        return listed
    if mode == "DIFFERENCE":
        return [a for a in in_ous if a not in listed]
    if mode == "INTERSECTION":
        return [a for a in in_ous if a in listed]
    return in_ous + [a for a in listed if a not in in_ous]


def _create_instances(self, accounts, regions, parameters, deployment_targets, permission_model):
    targets = _org_accounts(self, deployment_targets or {}, accounts)
    new = []
    for region in regions:
        for account in targets:
            if self.get_instance(account, region) is not None:
                continue
            new.append(
                cfm.StackInstance(
                    account_id=account,
                    region_name=region,
                    stackset_id=self.stackset_id,
                    stack_name=self.stack_name,
                    name=self.stackset_name,
                    template=self.template,
                    parameters=parameters,
                    permission_model=permission_model,
                )
            )
    self.stack_instances += new
    return [i.to_dict() for i in new]


cfm.StackInstances.create_instances = _create_instances


# 3. UpdateStackSet: moto stores the new template and parameters but leaves
#    every instance's stack as it was. Apply them, like AWS does. Instances
#    also keep the template they were created with.
_orig_update = cfm.StackSet.update


def _stackset_update(self, template, description, parameters, tags, admin_role,
                     execution_role, accounts, regions, operation_id):
    op = _orig_update(self, template, description, parameters, tags, admin_role,
                      execution_role, [], [], operation_id)
    self.instances.template = self.template
    self.instances.parameters = self.parameters
    for inst in self.instances.stack_instances:
        if regions and inst.region_name not in regions:
            continue
        if accounts and inst.account_id not in accounts:
            continue
        params = dict(self.parameters)
        overrides = inst.parameters or []
        if isinstance(overrides, list):  # ParameterOverrides, not the set's own dict
            for p in overrides:
                params[p["ParameterKey"]] = p["ParameterValue"]
        inst.template = self.template
        inst.stack.update(self.template, parameters=params)
    return op


cfm.StackSet.update = _stackset_update


# 4. Stack set operations: the caller's OperationId is the operation's id
#    (moto invents its own), a reused one is OperationIdAlreadyExistsException,
#    and DeleteStackInstances honours DeploymentTargets.
class OperationIdAlreadyExists(CloudFormationError):
    code = "OperationIdAlreadyExistsException"


def _with_operation_id(name):
    orig = getattr(cfr.CloudFormationResponse, name)

    def wrapper(self):
        wanted = self._get_param("OperationId")
        stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
        if wanted and any(o["OperationId"] == wanted for o in stackset.operations):
            raise OperationIdAlreadyExists(f"The operation ID {wanted} already exists.")
        result = orig(self)
        if wanted and stackset.operations:
            stackset.operations[-1]["OperationId"] = wanted
            return cfr.ActionResult({"OperationId": wanted})
        return result

    setattr(cfr.CloudFormationResponse, name, wrapper)


def _delete_stack_instances(self):
    stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
    regions = self._get_param("Regions", [])
    targets = self._get_params().get("DeploymentTargets")
    accounts = self._get_param("Accounts", [])
    if targets:
        accounts = _org_accounts(stackset.instances, targets, accounts)
    stackset.delete_stack_instances(accounts, regions)
    return cfr.ActionResult({"OperationId": stackset.operations[-1]["OperationId"]})


cfr.CloudFormationResponse.delete_stack_instances = _delete_stack_instances
for _name in ("create_stack_instances", "update_stack_set", "delete_stack_instances",
              "update_stack_instances"):
    _with_operation_id(_name)


# 4b. Retried writes: a change set name is unique per stack (a retry with the
#     same ClientToken gets the existing one, as on AWS), a retried
#     ExecuteChangeSet with a ClientRequestToken does not run twice, and a
#     StackSet name is unique (NameAlreadyExistsException). moto instead
#     creates duplicates (even a second stack of the same name).
class NameAlreadyExists(CloudFormationError):
    code = "NameAlreadyExistsException"


class ChangeSetAlreadyExists(CloudFormationError):
    code = "AlreadyExistsException"


_orig_create_cs = cfr.CloudFormationResponse.create_change_set


def _create_change_set(self):
    name = self._get_param("ChangeSetName")
    stack_name = self._get_param("StackName")
    token = self._get_param("ClientToken")
    for cs in self.cloudformation_backend.change_sets.values():
        if cs.change_set_name == name and cs.stack.name == stack_name:
            if token and getattr(cs, "client_token", None) == token:
                return cfr.ActionResult({"Id": cs.change_set_id, "StackId": cs.stack.stack_id})
            raise ChangeSetAlreadyExists(f"ChangeSet {name} already exists")
    result = _orig_create_cs(self)
    for cs in self.cloudformation_backend.change_sets.values():
        if cs.change_set_name == name and cs.stack.name == stack_name:
            cs.client_token = token
    return result


cfr.CloudFormationResponse.create_change_set = _create_change_set

_orig_exec_cs = cfm.CloudFormationBackend.execute_change_set


def _execute_change_set(self, change_set_name, stack_name=None):
    for cs in self.change_sets.values():
        if (cs.change_set_id == change_set_name or cs.change_set_name == change_set_name) \
                and cs.execution_status == "EXECUTE_COMPLETE":
            return None
    return _orig_exec_cs(self, change_set_name, stack_name)


cfm.CloudFormationBackend.execute_change_set = _execute_change_set

_orig_create_ss = cfm.CloudFormationBackend.create_stack_set


def _create_stack_set(self, name, *args, **kwargs):
    if any(s.name == name and s.status != "DELETED" for s in self.stacksets.values()):
        raise NameAlreadyExists(f"StackSet {name} already exists")
    return _orig_create_ss(self, name, *args, **kwargs)


cfm.CloudFormationBackend.create_stack_set = _create_stack_set


# 5. AWS::KMS::Key from a template: moto keeps KeyPolicy as a dict (DescribeKey
#    then fails with a 500), ignores MultiRegion, and reads Tags as TagKey/TagValue
#    (a 500 on the Key/Value that CloudFormation uses).
@classmethod
def _key_from_cfn(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    backend = kmsm.kms_backends[account_id][region_name]
    props = cloudformation_json["Properties"]
    policy = props.get("KeyPolicy")
    if isinstance(policy, dict):
        policy = json.dumps(policy)
    key = backend.create_key(
        policy=policy,
        key_usage="ENCRYPT_DECRYPT",
        key_spec="SYMMETRIC_DEFAULT",
        description=props.get("Description"),
        # CloudFormation writes tags as Key/Value; moto's KMS wants TagKey/TagValue.
        tags=[{"TagKey": t.get("Key", t.get("TagKey")), "TagValue": t.get("Value", t.get("TagValue"))}
              for t in props.get("Tags", [])],
        multi_region=str(props.get("MultiRegion", False)).lower() == "true",
    )
    key.key_rotation_status = props.get("EnableKeyRotation", False)
    key.enabled = props.get("Enabled", True)
    return key


kmsm.Key.create_from_cloudformation_json = _key_from_cfn


# 6. AWS::KMS::ReplicaKey is unknown to moto (a GetAtt on it is a 500).
class ReplicaKey(CloudFormationModel):
    __module__ = "moto.kms.sessionlog_replica_key"

    @staticmethod
    def cloudformation_name_type():
        return ""

    @staticmethod
    def cloudformation_type():
        return "AWS::KMS::ReplicaKey"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        arn = props["PrimaryKeyArn"]
        primary_region = arn.split(":")[3]
        key_id = arn.split("/")[-1]
        primary = kmsm.kms_backends[account_id][primary_region]
        replica = primary.replicate_key(key_id, region_name)
        policy = props.get("KeyPolicy")
        if policy is not None:
            replica.policy = json.dumps(policy) if isinstance(policy, dict) else policy
        return replica

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ["Arn", "KeyId"]


# 7. AWS::Logs::LogGroup: moto has no in-place update (retention changes are
#    lost) and ignores KmsKeyId.
_orig_lg_create = logsm.LogGroup.create_from_cloudformation_json.__func__


@classmethod
def _lg_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    group = _orig_lg_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    kms = cloudformation_json["Properties"].get("KmsKeyId")
    if kms:
        group.kms_key_id = kms
    return group


@classmethod
def _lg_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = cloudformation_json["Properties"]
    name = props.get("LogGroupName", original_resource.name)
    if name != original_resource.name:
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json,
                                                   account_id, region_name)
    if "RetentionInDays" in props:
        original_resource.set_retention_policy(int(props["RetentionInDays"]))
    if props.get("KmsKeyId"):
        original_resource.kms_key_id = props["KmsKeyId"]
    return original_resource


logsm.LogGroup.create_from_cloudformation_json = _lg_create
logsm.LogGroup.update_from_cloudformation_json = _lg_update

# 8. AWS::SSO::PermissionSet is unknown to moto's CloudFormation (its
#    sso-admin API exists): created, updated and deleted through that API,
#    so a stack's permission set is visible to `aws sso-admin`.
from moto.ssoadmin import models as ssom  # noqa: E402


class PermissionSet(CloudFormationModel):
    __module__ = "moto.ssoadmin.sessionlog_permission_set"

    def __init__(self, account_id, region_name, instance_arn, arn):
        self.account_id = account_id
        self.region_name = region_name
        self.instance_arn = instance_arn
        self.arn = arn

    @staticmethod
    def cloudformation_name_type():
        return ""

    @staticmethod
    def cloudformation_type():
        return "AWS::SSO::PermissionSet"

    @staticmethod
    def _backend(account_id, region_name):
        return ssom.ssoadmin_backends[account_id][region_name]

    @classmethod
    def _sync_references(cls, backend, instance_arn, arn, props):
        want = [{"Name": r["Name"], "Path": r.get("Path", "/")} for r in props.get("CustomerManagedPolicyReferences", [])]
        have = [{"Name": p.name, "Path": p.path}
                for p in backend.list_customer_managed_policy_references_in_permission_set(instance_arn, arn)[0]]
        for ref in have:
            if ref not in want:
                backend.detach_customer_managed_policy_reference_from_permission_set(instance_arn, arn, ref)
        for ref in want:
            if ref not in have:
                backend.attach_customer_managed_policy_reference_to_permission_set(instance_arn, arn, ref)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = cls._backend(account_id, region_name)
        created = backend.create_permission_set(
            name=props["Name"],
            description=props.get("Description"),
            instance_arn=props["InstanceArn"],
            session_duration=props.get("SessionDuration", "PT1H"),
            relay_state=props.get("RelayStateType"),
            tags=props.get("Tags", []),
        )
        arn = created["PermissionSetArn"]
        cls._sync_references(backend, props["InstanceArn"], arn, props)
        return cls(account_id, region_name, props["InstanceArn"], arn)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                        account_id, region_name):
        props = cloudformation_json["Properties"]
        backend = cls._backend(account_id, region_name)
        current = backend.describe_permission_set(original_resource.instance_arn, original_resource.arn)
        if props["InstanceArn"] != original_resource.instance_arn or props["Name"] != current["Name"]:
            # Both are create-only: a new permission set replaces the old one.
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
        backend.update_permission_set(
            instance_arn=original_resource.instance_arn,
            permission_set_arn=original_resource.arn,
            description=props.get("Description"),
            session_duration=props.get("SessionDuration", "PT1H"),
            relay_state=props.get("RelayStateType"),
        )
        cls._sync_references(backend, original_resource.instance_arn, original_resource.arn, props)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json["Properties"]
        cls._backend(account_id, region_name).delete_permission_set(props["InstanceArn"], resource_name)

    def delete(self, account_id, region_name):
        self._backend(account_id, region_name).delete_permission_set(self.instance_arn, self.arn)

    @property
    def physical_resource_id(self):
        return self.arn

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "PermissionSetArn"

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "PermissionSetArn":
            return self.arn
        raise NotImplementedError(attribute_name)


# 9-11. The management-account guardrails (issue 8): moto implements
#    CloudTrail trails, Organizations policies and Config rules as APIs but
#    not as CloudFormation resources (unknown types are skipped, and a GetAtt
#    on one is a 500). Each model below calls moto's own backend, so the
#    backend's checks (trail name, bucket, policy type, managed rule) apply.
#    AWS::Config::RemediationConfiguration stays unknown (moto has no
#    remediation API): it is skipped, see tests/deploy/MOTO_NOTES.md.
from moto.cloudtrail import models as ctm  # noqa: E402
from moto.config import models as cfgm  # noqa: E402
from moto.organizations import models as orgm  # noqa: E402


def _flag(props, key, default=False):
    v = props.get(key, default)
    return v if isinstance(v, bool) else str(v).lower() == "true"


class Trail(CloudFormationModel):
    __module__ = "moto.cloudtrail.sessionlog_trail"

    @staticmethod
    def cloudformation_name_type():
        return "TrailName"

    @staticmethod
    def cloudformation_type():
        return "AWS::CloudTrail::Trail"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = ctm.cloudtrail_backends[account_id][region_name]
        trail = backend.create_trail(
            props.get("TrailName", resource_name), props["S3BucketName"], props.get("S3KeyPrefix"),
            props.get("SnsTopicName"), _flag(props, "IncludeGlobalServiceEvents", True),
            _flag(props, "IsMultiRegionTrail"), _flag(props, "EnableLogFileValidation"),
            _flag(props, "IsOrganizationTrail"), props.get("CloudWatchLogsLogGroupArn"),
            props.get("CloudWatchLogsRoleArn"), props.get("KMSKeyId"), props.get("Tags", []),
        )
        if props.get("EventSelectors"):
            trail.put_event_selectors(props["EventSelectors"], [])
        if _flag(props, "IsLogging"):
            trail.start_logging()
        return trail

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        ctm.cloudtrail_backends[account_id][region_name].delete_trail(resource_name)

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ["Arn", "SnsTopicArn"]


def _trail_attr(self, attr):
    if attr == "Arn":
        return self.arn
    raise NotImplementedError(attr)


ctm.Trail.physical_resource_id = property(lambda self: self.trail_name)
ctm.Trail.get_cfn_attribute = _trail_attr


class OrganizationsPolicy(CloudFormationModel):
    __module__ = "moto.organizations.sessionlog_policy"

    def __init__(self, policy_id, targets):
        self.policy_id, self.targets = policy_id, targets

    @property
    def physical_resource_id(self):
        return self.policy_id

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @staticmethod
    def cloudformation_type():
        return "AWS::Organizations::Policy"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = orgm.organizations_backends[account_id]["aws"]
        content = props["Content"]
        policy = backend.create_policy(
            Content=content if isinstance(content, str) else json.dumps(content),
            Description=props.get("Description", ""), Name=props["Name"], Type=props["Type"],
        )
        policy_id = policy["Policy"]["PolicySummary"]["Id"]
        targets = list(props.get("TargetIds", []))
        for target in targets:
            backend.attach_policy(PolicyId=policy_id, TargetId=target)
        return cls(policy_id, targets)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        # resource_name is the physical id. Detach, then delete (as AWS does).
        backend = orgm.organizations_backends[account_id]["aws"]
        for t in backend.list_targets_for_policy(PolicyId=resource_name)["Targets"]:
            backend.detach_policy(PolicyId=resource_name, TargetId=t["TargetId"])
        backend.delete_policy(PolicyId=resource_name)

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ["Id", "Arn"]

    def get_cfn_attribute(self, attr):
        if attr == "Id":
            return self.policy_id
        raise NotImplementedError(attr)


class ConfigRule(CloudFormationModel):
    __module__ = "moto.config.sessionlog_config_rule"

    def __init__(self, name, arn):
        self.name, self.arn = name, arn

    @property
    def physical_resource_id(self):
        return self.name

    @staticmethod
    def cloudformation_name_type():
        return "ConfigRuleName"

    @staticmethod
    def cloudformation_type():
        return "AWS::Config::ConfigRule"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = dict(cloudformation_json["Properties"])
        props.setdefault("ConfigRuleName", resource_name)
        if isinstance(props.get("InputParameters"), dict):
            props["InputParameters"] = json.dumps(props["InputParameters"])
        arn = cfgm.config_backends[account_id][region_name].put_config_rule(props, [])
        return cls(props["ConfigRuleName"], arn)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        cfgm.config_backends[account_id][region_name].delete_config_rule(resource_name)

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ["Arn", "ConfigRuleId", "Compliance.Type"]

    def get_cfn_attribute(self, attr):
        if attr == "Arn":
            return self.arn
        raise NotImplementedError(attr)


# ReplicaKey, PermissionSet and the guardrails must be known before the model map is first built.
from moto.cloudformation import parsing as _parsing  # noqa: E402

_parsing.get_model_list.cache_clear()
_parsing.get_model_map.cache_clear()
_parsing.get_name_type_map.cache_clear()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--max-seconds", type=float, default=1800)
    ap.add_argument("--detach", action="store_true", help="keep running when the parent exits")
    args = ap.parse_args()
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    parent = os.getppid()
    deadline = time.monotonic() + args.max_seconds

    def watchdog():
        while True:
            time.sleep(0.5)
            if (not args.detach and os.getppid() != parent) or time.monotonic() > deadline:
                os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    print(f"READY {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
