#!/usr/bin/env python3
"""moto 5.2.1 server for sessionlog's deploy tests, on 127.0.0.1 only.

Starts moto's WSGI app on a free port (or --port), prints `READY <port>` on
stdout once it accepts connections, and exits when its parent process dies or
after --max-seconds, whichever comes first, so a crashed test never leaks it.

moto 5.2.1 gets a few things wrong that the deploy path depends on (and
does not know the log copy's resource types). Each
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
#    Added, backed by moto's ReplicateKey (with the replica's own aliases,
#    tags and multi-region configuration, which moto's shallow copy shares).
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
        # moto's replicate_key is a shallow copy: the replica shares the
        # primary's aliases and multi-region configuration (and DescribeKey on
        # the replica then turns the primary into a REPLICA). Aliases and tags
        # are per key and region on AWS; the replica is the REPLICA.
        replica.aliases = {}
        replica.multi_region_configuration = {
            "MultiRegionKeyType": "REPLICA",
            "PrimaryKey": dict(primary.keys[key_id].multi_region_configuration["PrimaryKey"]),
            "ReplicaKeys": [],
        }
        tags = [{"TagKey": t.get("Key"), "TagValue": t.get("Value")} for t in props.get("Tags", [])]
        if tags:
            kmsm.kms_backends[account_id][region_name].tag_resource(replica.id, tags)
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

# 17. The log copy (CloudWatch Logs → destination → Firehose → S3). moto's
#    CloudFormation does not know AWS::Logs::Destination,
#    AWS::Logs::SubscriptionFilter, AWS::Logs::LogStream or
#    AWS::KinesisFirehose::DeliveryStream
#    (it skips them with a warning); they are added here, backed by moto's
#    own Logs and Firehose APIs.
import base64  # noqa: E402
import gzip  # noqa: E402
import re  # noqa: E402
import uuid  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

from moto.core.exceptions import JsonRESTError  # noqa: E402
from moto.firehose import models as fhm  # noqa: E402
from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException  # noqa: E402
from moto.organizations.models import organizations_backends  # noqa: E402
from moto.s3.models import s3_backends  # noqa: E402
from moto.utilities.utils import get_partition  # noqa: E402


class _CfnHandle:
    """What a stack keeps of a resource: its physical id and attributes.
    (A mixin: moto finds models among CloudFormationModel's direct subclasses.)"""

    def __init__(self, physical_id, attributes, deleter):
        self._physical_id = physical_id
        self._attributes = attributes
        self._deleter = deleter

    @property
    def physical_resource_id(self):
        return self._physical_id

    def get_cfn_attribute(self, attribute_name):
        if attribute_name not in self._attributes:
            raise NotImplementedError(f"{attribute_name} of {{0}}")
        return self._attributes[attribute_name]

    def delete(self, account_id, region_name):
        self._deleter()

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                        account_id, region_name):
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @staticmethod
    def cloudformation_name_type():
        return ""


class DeliveryStreamResource(_CfnHandle, CloudFormationModel):
    __module__ = "moto.firehose.sessionlog_log_copy"

    @staticmethod
    def cloudformation_type():
        return "AWS::KinesisFirehose::DeliveryStream"

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "Arn"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        name = props.get("DeliveryStreamName", resource_name)
        backend = fhm.firehose_backends[account_id][region_name]
        arn = backend.create_delivery_stream(
            region_name, name, props.get("DeliveryStreamType", "DirectPut"), None,
            props.get("DeliveryStreamEncryptionConfigurationInput"), props.get("S3DestinationConfiguration"),
            props.get("ExtendedS3DestinationConfiguration"), None, None, None, None, None, props.get("Tags"))
        return cls(name, {"Arn": arn}, lambda: backend.delete_delivery_stream(name))


class _AccessDenied(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("AccessDeniedException", message)


def _org_id(account_id, partition):
    try:
        return organizations_backends[account_id][partition].describe_organization()["Organization"]["Id"]
    except Exception:
        return None


def _policy_allows(policy_text, action, resource_arn, caller_account, partition):
    """A destination access policy, evaluated for `caller_account` — the
    statement forms AWS documents for destinations: Principal "*" or account
    ids/ARNs, the action (wildcards allowed), the resource, and
    StringEquals on aws:PrincipalOrgID / aws:PrincipalAccount. Any other
    condition makes the statement not match (never a false allow)."""
    if not policy_text:
        return False
    doc = json.loads(policy_text)
    statements = doc.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]

    def listed(v):
        return v if isinstance(v, list) else [v]

    def glob(pattern, text):
        return re.fullmatch(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), text) is not None

    context = {"aws:principalorgid": _org_id(caller_account, partition), "aws:principalaccount": caller_account}
    allowed = False
    for st in statements:
        principal = st.get("Principal")
        if principal == "*":
            who = True
        elif isinstance(principal, dict) and "AWS" in principal:
            who = any(p == "*" or p == caller_account or f":{caller_account}:" in p for p in listed(principal["AWS"]))
        else:
            who = False
        what = any(glob(a.lower(), action.lower()) for a in listed(st.get("Action", [])))
        where = any(glob(r, resource_arn) for r in listed(st.get("Resource", [])))
        conditions_hold = True
        for operator, keys in (st.get("Condition") or {}).items():
            for key, values in keys.items():
                have = context.get(key.lower())
                if operator != "StringEquals" or key.lower() not in context or have not in listed(values):
                    conditions_hold = False
        if who and what and where and conditions_hold:
            if st.get("Effect") == "Deny":
                return False
            allowed = True
    return allowed


def _find_destination(arn):
    parsed = logsm.parse_arn(arn)
    backend = logsm.logs_backends[parsed.account][parsed.region]
    name = parsed.resource_id
    for d in backend.destinations.values():
        if d.destination_name == name:
            return d
    return None


_orig_put_filter = logsm.LogsBackend.put_subscription_filter


def _put_subscription_filter(self, log_group_name, filter_name, filter_pattern, destination_arn, role_arn):
    parsed = logsm.parse_arn(destination_arn)
    if parsed.service != "logs" or parsed.resource_type != "destination":
        return _orig_put_filter(self, log_group_name, filter_name, filter_pattern, destination_arn, role_arn)
    log_group = self.groups.get(log_group_name)
    if not log_group:
        raise ResourceNotFoundException()
    # The destination must be in the log group's region, exist, and admit the caller.
    if parsed.region != self.region_name:
        raise InvalidParameterException("The destination must be in the same region as the log group.")
    destination = _find_destination(destination_arn)
    if destination is None:
        raise ResourceNotFoundException("The specified destination does not exist.")
    if parsed.account != self.account_id and not _policy_allows(
            destination.access_policy, "logs:PutSubscriptionFilter", destination.arn, self.account_id,
            get_partition(self.region_name)):
        raise _AccessDenied(f"User with accountId: {self.account_id} is not authorized to perform: "
                            f"logs:PutSubscriptionFilter on resource: {destination_arn}")
    log_group.put_subscription_filter(filter_name, filter_pattern, destination_arn, role_arn)


logsm.LogsBackend.put_subscription_filter = _put_subscription_filter


def _deliver_to_destination(destination, record):
    """CloudWatch Logs puts a gzipped record into the destination's target."""
    target = logsm.parse_arn(destination.target_arn)
    if target.service != "firehose":
        return
    payload = gzip.compress(json.dumps(record, separators=(",", ":")).encode())
    fhm.firehose_backends[target.account][target.region].put_record_batch(
        target.resource_id, [{"Data": payload}])


_orig_send = logsm.LogStream._send_log_events


def _send_log_events(self, service, destination_arn, filter_name, log_events):
    if service == "logs" and ":destination:" in destination_arn:
        destination = _find_destination(destination_arn)
        if destination is not None:
            _deliver_to_destination(destination, {
                "messageType": "DATA_MESSAGE", "owner": self.account_id, "logGroup": self.log_group.name,
                "logStream": self.log_stream_name, "subscriptionFilters": [filter_name], "logEvents": log_events})
        return
    return _orig_send(self, service, destination_arn, filter_name, log_events)


logsm.LogStream._send_log_events = _send_log_events


class DestinationResource(_CfnHandle, CloudFormationModel):
    __module__ = "moto.logs.sessionlog_log_copy"

    @staticmethod
    def cloudformation_type():
        return "AWS::Logs::Destination"

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "Arn"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        name = props["DestinationName"]
        backend = logsm.logs_backends[account_id][region_name]
        destination = backend.put_destination(name, props["RoleArn"], props["TargetArn"], {})
        if props.get("DestinationPolicy"):
            backend.put_destination_policy(name, props["DestinationPolicy"])
        # "When the destination is created, CloudWatch Logs sends a test
        # message to the destination on the recipient account's behalf."
        _deliver_to_destination(destination, {
            "messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
            "subscriptionFilters": [], "logEvents": [{
                "id": "", "timestamp": int(time.time() * 1000),
                "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]})
        return cls(name, {"Arn": destination.arn}, lambda: backend.delete_destination(name))


class SubscriptionFilterResource(_CfnHandle, CloudFormationModel):
    __module__ = "moto.logs.sessionlog_log_copy"

    @staticmethod
    def cloudformation_type():
        return "AWS::Logs::SubscriptionFilter"

    @classmethod
    def has_cfn_attr(cls, attr):
        return False

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        name = props.get("FilterName", resource_name)
        group = props["LogGroupName"]
        backend = logsm.logs_backends[account_id][region_name]
        backend.put_subscription_filter(group, name, props.get("FilterPattern", ""), props["DestinationArn"],
                                        props.get("RoleArn"))

        def delete():
            if group in backend.groups and name in backend.groups[group].subscription_filters:
                backend.delete_subscription_filter(group, name)

        return cls(name, {}, delete)


class LogStreamResource(_CfnHandle, CloudFormationModel):
    __module__ = "moto.logs.sessionlog_log_copy"

    @staticmethod
    def cloudformation_type():
        return "AWS::Logs::LogStream"

    @classmethod
    def has_cfn_attr(cls, attr):
        return False

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        name = props.get("LogStreamName", resource_name)
        group = props["LogGroupName"]
        backend = logsm.logs_backends[account_id][region_name]
        backend.create_log_stream(group, name)
        return cls(name, {}, lambda: backend.delete_log_stream(group, name))


# 18. Firehose S3 delivery: moto writes every record as is under
#    `<Prefix>YYYY/MM/DD/HH/`. Firehose runs the configured processors
#    (Decompression, MetadataExtraction with JQ, CloudWatchLogProcessing,
#    AppendDelimiterToRecord), resolves `!{partitionKeyFromQuery:…}`,
#    `!{timestamp:…}` and `!{firehose:…}` in the prefixes, sends records it
#    cannot process to the error prefix by error type, and compresses.
_JAVA_TIME = [("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S")]


def _timestamp(fmt, now):
    for java, c in _JAVA_TIME:
        fmt = fmt.replace(java, c)
    return now.strftime(fmt)


def _resolve_prefix(prefix, keys, now, error_type=None):
    def sub(m):
        namespace, _, key = m.group(1).partition(":")
        if namespace == "partitionKeyFromQuery":
            if key not in keys:
                raise KeyError(key)
            return str(keys[key])
        if namespace == "timestamp":
            return _timestamp(key, now)
        if namespace == "firehose" and key == "error-output-type":
            return error_type or ""
        if namespace == "firehose" and key == "random-string":
            return uuid.uuid4().hex
        raise KeyError(m.group(1))

    return re.sub(r"!\{([^}]*)\}", sub, prefix)


def _process(record, processors):
    """(data, partition keys, None) or (raw, {}, error type)."""
    import jq

    data, keys = record, {}
    for p in processors:
        params = {x["ParameterName"]: x["ParameterValue"] for x in p.get("Parameters", [])}
        kind = p["Type"]
        if kind == "Decompression":
            try:
                data = gzip.decompress(data)
            except OSError:
                return record, {}, "decompression-failed"
        elif kind == "MetadataExtraction":
            try:
                found = jq.compile(params["MetadataExtractionQuery"]).input_text(data.decode()).first()
            except Exception:
                return record, {}, "partitioning-failed"
            if not isinstance(found, dict) or not all(isinstance(v, (str, int)) for v in found.values()):
                return record, {}, "partitioning-failed"
            keys.update(found)
        elif kind == "CloudWatchLogProcessing" and params.get("DataMessageExtraction") == "true":
            message = json.loads(data)
            if message.get("messageType") != "DATA_MESSAGE":
                return None, {}, None  # control messages are dropped
            data = "\n".join(e["message"] for e in message["logEvents"]).encode()
        elif kind == "AppendDelimiterToRecord":
            data += b"\n"
    return data, keys, None


_orig_put_s3 = fhm.FirehoseBackend.put_s3_records


def _put_s3_records(self, delivery_stream_name, version_id, s3_destination, records):
    processing = s3_destination.get("ProcessingConfiguration") or {}
    partitioning = s3_destination.get("DynamicPartitioningConfiguration") or {}
    enabled = lambda c: str(c.get("Enabled", False)).lower() == "true"  # noqa: E731
    if not enabled(processing) and not enabled(partitioning):
        return _orig_put_s3(self, delivery_stream_name, version_id, s3_destination, records)
    processors = processing.get("Processors", []) if enabled(processing) else []
    now = datetime.now(timezone.utc)
    bucket = s3_destination["BucketARN"].split(":")[-1]
    objects = {}
    for r in records:
        data, keys, error = _process(r["Data"], processors)
        if data is None:
            continue
        if error is None:
            try:
                prefix = _resolve_prefix(s3_destination.get("Prefix", ""), keys, now)
            except KeyError:
                error = "partitioning-failed"
        if error is not None:
            prefix = _resolve_prefix(s3_destination.get("ErrorOutputPrefix", ""), {}, now, error)
            data = (json.dumps({"rawData": base64.b64encode(r["Data"]).decode(), "errorCode": error,
                                "arrivalTimestamp": int(now.timestamp() * 1000)}) + "\n").encode()
        objects.setdefault(prefix, []).append(data)
    gz = s3_destination.get("CompressionFormat") == "GZIP"
    for prefix, parts in objects.items():
        name = (f"{prefix}{delivery_stream_name}-{version_id}-{now.strftime('%Y-%m-%d-%H-%M-%S')}-"
                f"{uuid.uuid4()}{'.gz' if gz else ''}")
        body = b"".join(parts)
        s3_backends[self.account_id][self.partition].put_object(bucket, name, gzip.compress(body) if gz else body)
    return [{"RecordId": str(uuid.uuid4())} for _ in records]


fhm.FirehoseBackend.put_s3_records = _put_s3_records
from moto.cloudformation import parsing as _parsing  # noqa: E402

# 8. AWS::S3::Bucket: moto ignores VersioningConfiguration in templates (every
#    bucket is unversioned, so an overwritten log is simply gone).
from moto.s3 import models as s3m  # noqa: E402

_orig_bucket_create = s3m.FakeBucket.create_from_cloudformation_json.__func__
_orig_bucket_update = s3m.FakeBucket.update_from_cloudformation_json.__func__


def _versioning(bucket, props):
    status = (props.get("VersioningConfiguration") or {}).get("Status")
    if status:
        bucket.versioning_status = status
    return bucket


@classmethod
def _bucket_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    bucket = _orig_bucket_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    return _versioning(bucket, cloudformation_json.get("Properties", {}))


@classmethod
def _bucket_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    bucket = _orig_bucket_update(cls, original_resource, new_resource_name, cloudformation_json,
                                 account_id, region_name)
    return _versioning(bucket, cloudformation_json.get("Properties", {}))


s3m.FakeBucket.create_from_cloudformation_json = _bucket_create
s3m.FakeBucket.update_from_cloudformation_json = _bucket_update


# 9. Failures and DeletionPolicy. A resource that fails while ExecuteChangeSet
#    creates a stack rolls the stack back (ROLLBACK_COMPLETE, a *_FAILED event
#    with the reason, every created resource deleted except those with
#    DeletionPolicy Retain) instead of a 500 from ExecuteChangeSet; and a
#    resource removed from the template by an update is kept when its
#    DeletionPolicy is Retain (moto deletes it).
def _failure_reason(error):
    message = getattr(error, "message", None) or getattr(error, "description", None) or str(error)
    code = getattr(error, "code", None) or getattr(error, "error_type", None) or type(error).__name__
    return f'Resource handler returned message: "{message}" (HandlerErrorCode: {code})'


def _install_failure_tracking():
    from moto.cloudformation import parsing

    orig = parsing.parse_and_create_resource

    def tracked(logical_id, resource_json, resources_map, account_id, region_name):
        try:
            return orig(logical_id, resource_json, resources_map, account_id, region_name)
        except Exception as error:
            if not hasattr(error, "sl_logical_id"):
                error.sl_logical_id = logical_id
                error.sl_type = resource_json.get("Type")
            raise

    parsing.parse_and_create_resource = tracked


_install_failure_tracking()


def _resource_event(stack, logical_id, resource_type, status, reason=None, physical_id=""):
    stack.events.append(cfm.Event(
        stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=logical_id,
        physical_resource_id=physical_id or "", resource_type=resource_type,
        resource_status=status, resource_status_reason=reason, resource_properties=None))


def _roll_back_create(stack, error):
    _resource_event(stack, getattr(error, "sl_logical_id", stack.name),
                    getattr(error, "sl_type", "AWS::CloudFormation::Stack"), "CREATE_FAILED",
                    _failure_reason(error))
    stack._add_stack_event("ROLLBACK_IN_PROGRESS",
                           resource_status_reason="The following resource(s) failed to create: "
                                                  f"[{getattr(error, 'sl_logical_id', '?')}]. Rollback requested by user.")
    try:
        stack.resource_map.delete()  # honours DeletionPolicy: Retain
    except Exception:
        pass
    stack._add_stack_event("ROLLBACK_COMPLETE")
    stack.status = "ROLLBACK_COMPLETE"


_orig_map_update = _parsing.ResourceMap.update


def _map_update(self, template, parameters=None):
    # Retained resources leave the stack without being deleted.
    removed = [name for name in self._resource_json_map if name not in template.get("Resources", {})]
    for name in removed:
        if self._resource_json_map[name].get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate"):
            self._parsed_resources.pop(name, None)
            self._resource_json_map = {k: v for k, v in self._resource_json_map.items() if k != name}
    return _orig_map_update(self, template, parameters)


_parsing.ResourceMap.update = _map_update


# 10. IMPORT change sets (resource import, AWS CloudFormation User Guide,
#     "Import AWS resources into a CloudFormation stack manually"): moto treats
#     ChangeSetType IMPORT as CREATE and re-creates the resources. Implemented
#     as documented: ResourcesToImport names each resource and its identifier;
#     every resource to import needs a DeletionPolicy; an import operation
#     cannot create, update or delete other resources nor add or change
#     Outputs; a resource that does not exist fails the change set; executing
#     it binds the existing resources to the stack unchanged (IMPORT_COMPLETE).
def _existing(resource_type, identifier, account_id, region):
    if resource_type == "AWS::S3::Bucket":
        return s3m.s3_backends[account_id]["aws"].buckets.get(identifier.get("BucketName"))
    if resource_type in ("AWS::KMS::Key", "AWS::KMS::ReplicaKey"):
        key = kmsm.kms_backends[account_id][region].keys.get(identifier.get("KeyId"))
        return key if key is not None and key.key_state != "PendingDeletion" else None
    if resource_type == "AWS::Logs::LogGroup":
        return logsm.logs_backends[account_id][region].groups.get(identifier.get("LogGroupName"))
    if resource_type == "AWS::CloudTrail::Trail":
        return ctm.cloudtrail_backends[account_id][region].trails.get(identifier.get("TrailName"))
    raise cfm.ValidationError(message=f"Resource type {resource_type} does not support import here")


def _resources_to_import(querystring):
    out = {}
    for k, v in querystring.items():
        parts = k.split(".")
        if parts[0] != "ResourcesToImport" or len(parts) < 4:
            continue
        item = out.setdefault(int(parts[2]), {"ResourceIdentifier": {}})
        if parts[3] == "ResourceIdentifier":
            entry = item["ResourceIdentifier"].setdefault(parts[5], {})
            entry[parts[6]] = v[0]
        else:
            item[parts[3]] = v[0]
    for item in out.values():
        item["ResourceIdentifier"] = {e["key"]: e["value"] for e in item["ResourceIdentifier"].values()}
    return [out[i] for i in sorted(out)]


def _create_import_change_set(self):
    backend = self.cloudformation_backend
    name = self._get_param("ChangeSetName")
    stack_name = self._get_param("StackName")
    body = self._get_param("TemplateBody")
    params = {p["ParameterKey"]: p["ParameterValue"] for p in self._get_param("Parameters", [])}
    tags = {t["Key"]: t["Value"] for t in self._get_param("Tags", [])}
    to_import = _resources_to_import(self.querystring)
    template = cfm.Stack.parse_template(body)
    resources = template.get("Resources", {})
    stack = next((st for st in backend.stacks.values() if st.name == stack_name), None)
    if stack is not None and stack.status == "ROLLBACK_COMPLETE":
        raise cfm.ValidationError(message=f"Stack:{stack.stack_id} is in ROLLBACK_COMPLETE state and can not be updated.")
    existing = {} if stack is None or stack.status == "REVIEW_IN_PROGRESS" else stack.template_dict.get("Resources", {})
    wanted = {r["LogicalResourceId"]: r for r in to_import}
    for logical_id, r in wanted.items():
        definition = resources.get(logical_id)
        if definition is None or definition.get("Type") != r["ResourceType"]:
            raise cfm.ValidationError(message=f"Resource {logical_id} of type {r['ResourceType']} is not in the template")
        if "DeletionPolicy" not in definition:
            raise cfm.ValidationError(message=f"The following resources to import [{logical_id}] must have DeletionPolicy attribute specified in the template.")
    changed = sorted(k for k in set(resources) | set(existing)
                     if k not in wanted and resources.get(k) != existing.get(k))
    if changed:
        raise cfm.ValidationError(message=f"You have modified resources {changed} in your template that are not being imported. Update, create or delete operations cannot be executed during import operations.")
    old_outputs = {} if stack is None or stack.status == "REVIEW_IN_PROGRESS" else stack.template_dict.get("Outputs", {})
    if template.get("Outputs", {}) != (old_outputs or {}):
        raise cfm.ValidationError(message="As part of the import operation, you cannot modify or add [Outputs]")
    if stack is None:
        stack = cfm.Stack(stack_id=cfm.generate_stack_id(stack_name, backend.region_name, backend.account_id),
                          name=stack_name, template={}, parameters=params, account_id=backend.account_id,
                          region_name=backend.region_name, tags=tags)
        backend.stacks[stack.stack_id] = stack
        stack.status = "REVIEW_IN_PROGRESS"
        stack._add_stack_event("REVIEW_IN_PROGRESS", resource_status_reason="User Initiated")
    missing = [lid for lid, r in wanted.items()
               if _existing(r["ResourceType"], r["ResourceIdentifier"], backend.account_id, backend.region_name) is None]
    cs_id = cfm.generate_changeset_id(name, backend.region_name, backend.account_id)
    cs = cfm.ChangeSet.__new__(cfm.ChangeSet)
    cs.change_set_type, cs.change_set_id, cs.change_set_name = "IMPORT", cs_id, name
    cs.stack, cs.stack_id, cs.stack_name = stack, stack.stack_id, stack.name
    cs.notification_arns, cs.description, cs.tags, cs.role_arn = [], self._get_param("Description"), tags, None
    cs.template, cs.parameters, cs.template_dict = body, params, template
    cs.creation_time = cfm.utcnow()
    cs.client_token = self._get_param("ClientToken")
    cs.resources_to_import = wanted
    cs.changes = []
    for lid, r in wanted.items():
        change = cfm.Change(action="Import", logical_resource_id=lid, resource_type=r["ResourceType"])
        change.physical_resource_id = next(iter(r["ResourceIdentifier"].values()), None)
        cs.changes.append(change)
    if missing:
        cs.status, cs.execution_status = "FAILED", "UNAVAILABLE"
        cs.status_reason = f"Import of {missing} failed: the resources do not exist."
    else:
        cs.status, cs.execution_status, cs.status_reason = "CREATE_COMPLETE", "AVAILABLE", None
    backend.change_sets[cs_id] = cs
    return cfr.ActionResult({"Id": cs_id, "StackId": stack.stack_id})


def _execute_import(backend, cs):
    stack = cs.stack
    stack._add_stack_event("IMPORT_IN_PROGRESS", resource_status_reason="User Initiated")
    stack.template = cs.template
    stack._parse_template()
    stack.parameters = cs.parameters
    rmap = stack.resource_map
    rmap._template = stack.template_dict
    rmap._resource_json_map = stack.template_dict.get("Resources", {})
    rmap.input_parameters = cs.parameters
    rmap.load()
    for lid, r in cs.resources_to_import.items():
        resource = _existing(r["ResourceType"], r["ResourceIdentifier"], backend.account_id, backend.region_name)
        resource.cf_resource_type = r["ResourceType"]
        resource.logical_resource_id = lid
        rmap._parsed_resources[lid] = resource
        _resource_event(stack, lid, r["ResourceType"], "IMPORT_COMPLETE", physical_id=resource.physical_resource_id)
    stack.output_map = stack._create_output_map()
    stack._add_stack_event("IMPORT_COMPLETE")
    stack.status = "IMPORT_COMPLETE"
    cs.execution_status = "EXECUTE_COMPLETE"


_orig_create_cs_response = cfr.CloudFormationResponse.create_change_set


def _create_change_set_any(self):
    if self._get_param("ChangeSetType") == "IMPORT":
        name = self._get_param("ChangeSetName")
        for cs in self.cloudformation_backend.change_sets.values():
            if cs.change_set_name == name and cs.stack.name == self._get_param("StackName"):
                token = self._get_param("ClientToken")
                if token and getattr(cs, "client_token", None) == token:
                    return cfr.ActionResult({"Id": cs.change_set_id, "StackId": cs.stack.stack_id})
                raise ChangeSetAlreadyExists(f"ChangeSet {name} already exists")
        return _create_import_change_set(self)
    return _orig_create_cs_response(self)


cfr.CloudFormationResponse.create_change_set = _create_change_set_any

_prev_execute = cfm.CloudFormationBackend.execute_change_set


def _execute_change_set_v2(self, change_set_name, stack_name=None):
    cs = next((c for c in self.change_sets.values()
               if c.change_set_id == change_set_name or
               (c.change_set_name == change_set_name and (stack_name is None or c.stack_name == stack_name
                                                          or c.stack_id == stack_name))), None)
    if cs is not None and cs.execution_status == "EXECUTE_COMPLETE":
        return None
    if cs is not None and cs.change_set_type == "IMPORT":
        return _execute_import(self, cs)
    if cs is not None and cs.change_set_type == "CREATE":
        try:
            return _prev_execute(self, change_set_name, stack_name)
        except Exception as error:  # roll back, as CloudFormation does
            _roll_back_create(cs.stack, error)
            cs.execution_status = "EXECUTE_FAILED"
            return None
    return _prev_execute(self, change_set_name, stack_name)


cfm.CloudFormationBackend.execute_change_set = _execute_change_set_v2


# 11. Stack instances that fail: moto raises the resource's error out of
#     CreateStackInstances/DeleteStackInstances (a 4xx/5xx to the caller). On
#     AWS the operation runs and the instance reports it: Status OUTDATED,
#     DetailedStatus FAILED, StatusReason naming the resource, the operation
#     FAILED; a failed create leaves the account's stack rolled back, a failed
#     delete leaves the instance (and what could not be deleted) in place.
def _instance_reason(error):
    return (f"ResourceLogicalId:{getattr(error, 'sl_logical_id', '?')}, "
            f"ResourceType:{getattr(error, 'sl_type', '?')}, "
            f"ResourceStatusReason:{_failure_reason(error)}.")


def _instance_init(self, account_id, region_name, stackset_id, stack_name, name, template, parameters,
                   permission_model):
    # moto's own constructor, with the failure reported on the instance
    self.account_id, self.region_name, self.stackset_id = account_id, region_name, stackset_id
    self.stack_name, self.name, self.template = stack_name, name, template
    self.parameters = parameters or []
    self.permission_model = permission_model
    self.sl_status = ("CURRENT", "SUCCEEDED", None)
    params = parameters if isinstance(parameters, dict) else {p["ParameterKey"]: p["ParameterValue"]
                                                               for p in (parameters or [])}
    self.stack = cfm.Stack(stack_id=cfm.generate_stack_id("hiddenstackfor" + name, region_name, account_id),
                           name=name, template=template, parameters=params, account_id=account_id,
                           region_name=region_name, notification_arns=[], tags=None, role_arn=None,
                           cross_stack_resources={}, enable_termination_protection=False)
    try:
        self.stack.create_resources()
    except Exception as error:
        _roll_back_create(self.stack, error)
        self.sl_status = ("OUTDATED", "FAILED", _instance_reason(error))


_orig_instance_to_dict = cfm.StackInstance.to_dict


def _instance_to_dict(self):
    d = _orig_instance_to_dict(self)
    status, detailed, reason = getattr(self, "sl_status", ("CURRENT", "SUCCEEDED", None))
    d["Status"] = status
    d["StackInstanceStatus"] = {"DetailedStatus": detailed}
    if reason:
        d["StatusReason"] = reason
    return d


def _instance_delete(self):
    try:
        self.stack.delete()
    except Exception as error:
        self.stack.status = "DELETE_FAILED"
        _resource_event(self.stack, getattr(error, "sl_logical_id", "?"), getattr(error, "sl_type", "?"),
                        "DELETE_FAILED", _failure_reason(error))
        self.sl_status = ("OUTDATED", "FAILED", _instance_reason(error))
        raise


cfm.StackInstance.__init__ = _instance_init
cfm.StackInstance.to_dict = _instance_to_dict
cfm.StackInstance.delete = _instance_delete


def _instances_delete(self, accounts, regions):
    failed = []
    for instance in [i for i in self.stack_instances if i.region_name in regions and i.account_id in accounts]:
        try:
            instance.delete()
            self.stack_instances.remove(instance)
        except Exception:
            failed.append(instance)
    self.sl_failed = failed


cfm.StackInstances.delete = _instances_delete


def _failed_operation(stackset):
    failed = getattr(stackset.instances, "sl_failed", [])
    stackset.instances.sl_failed = []
    if failed and stackset.operations:
        stackset.operations[-1]["Status"] = "FAILED"
        stackset.operations[-1]["StatusReason"] = "The operation failed in one or more accounts and regions."


_orig_create_instances_ss = cfm.StackSet.create_stack_instances
_orig_delete_instances_ss = cfm.StackSet.delete_stack_instances


def _ss_create_instances(self, *args, **kwargs):
    result = _orig_create_instances_ss(self, *args, **kwargs)
    self.instances.sl_failed = [i for i in self.instances.stack_instances
                                if getattr(i, "sl_status", ("CURRENT",))[1:2] == ("FAILED",)
                                and getattr(i, "sl_new", True)]
    for i in self.instances.stack_instances:
        i.sl_new = False
    _failed_operation(self)
    return result


def _ss_delete_instances(self, accounts, regions):
    result = _orig_delete_instances_ss(self, accounts, regions)
    _failed_operation(self)
    return result


cfm.StackSet.create_stack_instances = _ss_create_instances


_orig_instances_update = cfm.StackInstances.update


def _instances_update(self, accounts, regions, parameters):
    # Re-running a failed instance (UpdateStackInstances) creates its stack again.
    for account in accounts:
        for region in regions:
            instance = self.get_instance(account, region)
            if instance is not None and getattr(instance, "sl_status", ("", ""))[1] == "FAILED" \
                    and instance.stack.status == "ROLLBACK_COMPLETE":
                _instance_init(instance, instance.account_id, instance.region_name, instance.stackset_id,
                               instance.stack_name, instance.name, self.template,
                               parameters or instance.parameters, instance.permission_model)
    return _orig_instances_update(self, accounts, regions, parameters)


cfm.StackInstances.update = _instances_update
cfm.StackSet.delete_stack_instances = _ss_delete_instances


# 12. AWS::IAM::ManagedPolicy: moto never deletes one with its stack, and IAM
#     DeletePolicy ignores attachments. CloudFormation detaches the entities
#     the template lists (Roles, Users, Groups) and deletes the policy; IAM
#     refuses while anything else is attached ("DeleteConflict: Cannot delete a
#     policy attached to entities.").
from moto.iam import models as iamm  # noqa: E402
from moto.iam.exceptions import DeleteConflictException  # noqa: E402

_orig_iam_delete_policy = iamm.IAMBackend.delete_policy


def _iam_delete_policy(self, policy_arn):
    policy = self.get_policy(policy_arn)
    if policy.attachment_count > 0:
        raise DeleteConflictException("Cannot delete a policy attached to entities.")
    return _orig_iam_delete_policy(self, policy_arn)


@classmethod
def _managed_policy_delete(cls, resource_name, cloudformation_json, account_id, region_name):
    props = cloudformation_json.get("Properties", {})
    backend = iamm.iam_backends[account_id]["aws"]
    name = props.get("ManagedPolicyName", resource_name)
    arn = f"arn:aws:iam::{account_id}:policy{props.get('Path', '/')}{name}"
    if arn not in backend.managed_policies:
        return
    for role in props.get("Roles", []):
        try:
            backend.detach_role_policy(arn, role)
        except Exception:
            pass
    backend.delete_policy(arn)


def _managed_policy_instance_delete(self, account_id, region_name):
    # physical id is the ARN: the stack deletes by it
    backend = iamm.iam_backends[account_id]["aws"]
    for role in list(getattr(self, "sl_template_roles", [])):
        try:
            backend.detach_role_policy(self.arn, role)
        except Exception:
            pass
    try:
        backend.delete_policy(self.arn)
    except DeleteConflictException as error:
        error.sl_logical_id = getattr(self, "logical_resource_id", "?")
        error.sl_type = "AWS::IAM::ManagedPolicy"
        raise


_orig_mp_create = iamm.ManagedPolicy.create_from_cloudformation_json.__func__


@classmethod
def _mp_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    policy = _orig_mp_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    policy.sl_template_roles = list(cloudformation_json.get("Properties", {}).get("Roles", []))
    return policy


iamm.IAMBackend.delete_policy = _iam_delete_policy
iamm.ManagedPolicy.create_from_cloudformation_json = _mp_create
iamm.ManagedPolicy.delete = _managed_policy_instance_delete


# 13. Lambda-backed custom resources: moto invokes the function only through
#     docker and only for Create. As documented ("Custom resources" and
#     "cfn-response module"), CloudFormation sends Create, Update (with
#     OldResourceProperties) and Delete requests, every property value as a
#     string, to the function named by ServiceToken, which runs with its
#     execution role's credentials and answers SUCCESS or FAILED with a
#     PhysicalResourceId and Data; inline (ZipFile) Python code gets the
#     cfn-response module. Here the function's inline code runs in this
#     process, its boto3 clients holding credentials of its role and sending
#     every call to this server.
import zipfile  # noqa: E402
import io  # noqa: E402
import urllib.parse  # noqa: E402
import uuid  # noqa: E402
from moto.awslambda import models as lambdam  # noqa: E402
from moto.sts import models as stsm  # noqa: E402
from moto.cloudformation import custom_model as cmm  # noqa: E402

SERVER = {"url": None}


def _stringify(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return [_stringify(v) for v in value]
    if isinstance(value, dict):
        return {k: _stringify(v) for k, v in value.items()}
    return value


def _invoke_custom(fn, event, account_id):
    """Run the function's inline code with its role's credentials; return its cfn-response answer."""
    import builtins
    import types
    import boto3

    role = stsm.sts_backends[account_id]["aws"].assume_role(
        region_name=fn.region, role_session_name=fn.function_name, role_arn=fn.role,
        policy=None, duration=900, external_id=None)
    session = boto3.session.Session(aws_access_key_id=role.access_key_id,
                                    aws_secret_access_key=role.secret_access_key,
                                    aws_session_token=role.session_token, region_name=fn.region)
    shim = types.ModuleType("boto3")
    shim.client = lambda service, **kw: session.client(service, endpoint_url=SERVER["url"], **kw)
    shim.session = boto3.session
    answers = []
    cfnresponse = types.ModuleType("cfnresponse")
    cfnresponse.SUCCESS, cfnresponse.FAILED = "SUCCESS", "FAILED"

    def send(event, context, status, data, physicalResourceId=None, noEcho=False, reason=None):
        answers.append({"Status": status, "Data": data, "Reason": reason,
                        "PhysicalResourceId": physicalResourceId or context.log_stream_name})

    cfnresponse.send = send
    # The function's environment variables, and the ones Lambda sets (Lambda
    # Developer Guide, "Defined runtime environment variables"), as os.environ.
    os_shim = types.ModuleType("os")
    os_shim.__dict__.update(vars(os))
    os_shim.environ = dict(fn.environment_vars or {}, AWS_REGION=fn.region, AWS_DEFAULT_REGION=fn.region,
                           AWS_LAMBDA_FUNCTION_NAME=fn.function_name)
    modules = {"boto3": shim, "cfnresponse": cfnresponse, "os": os_shim}

    def _import(name, globals=None, locals=None, fromlist=(), level=0):
        if name in modules:
            return modules[name]
        return builtins.__import__(name, globals, locals, fromlist, level)

    with zipfile.ZipFile(io.BytesIO(fn.code_bytes)) as z:
        module_name, handler = fn.handler.rsplit(".", 1)
        code = z.read(f"{module_name}.py").decode()
    namespace = {"__builtins__": dict(vars(builtins), __import__=_import), "__name__": module_name}
    context = types.SimpleNamespace(log_stream_name=f"sessionlog-moto-{event['RequestId']}",
                                    get_remaining_time_in_millis=lambda: int(fn.timeout) * 1000)
    try:
        exec(compile(code, f"{fn.function_name}/{module_name}.py", "exec"), namespace)
        namespace[handler](event, context)
    except Exception as error:  # an unhandled error: Lambda reports it, nobody answers CloudFormation
        print(f"custom resource function {fn.function_name} raised {error!r}", file=sys.stderr)
    if not answers:
        return {"Status": "FAILED", "Reason": "CloudFormation did not receive a response from your Custom Resource"}
    return answers[-1]


def _custom_request(kind, props, account_id, region, stack_id, logical_id, resource_type, physical_id=None,
                    old_props=None):
    token = props["ServiceToken"]
    fn = lambdam.lambda_backends[account_id][region].get_function(token)
    event = {"RequestType": kind, "ServiceToken": token, "StackId": stack_id, "RequestId": str(uuid.uuid4()),
             # A presigned URL of CloudFormation's response bucket of the region, in the
             # form AWS sends (the answer is taken from cfnresponse.send, never sent).
             "ResponseURL": f"https://cloudformation-custom-resource-response-{region.replace('-', '')}"
                            f".s3.amazonaws.com/{urllib.parse.quote(stack_id, safe='')}%7C{logical_id}?X-Amz-Signature=moto",
             "LogicalResourceId": logical_id, "ResourceType": resource_type,
             "ResourceProperties": _stringify(props)}
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    if old_props is not None:
        event["OldResourceProperties"] = _stringify(old_props)
    answer = _invoke_custom(fn, event, account_id)
    if answer.get("Status") != "SUCCESS":
        error = CloudFormationError(f"Received response status [FAILED] from custom resource. Message returned: "
                                    f"{answer.get('Reason')} (RequestId: {event['RequestId']})")
        error.sl_logical_id, error.sl_type = logical_id, resource_type
        raise error
    return answer


@classmethod
def _custom_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = cloudformation_json["Properties"]
    answer = _custom_request("Create", props, account_id, region_name, kwargs["StackId"], kwargs["LogicalId"],
                             kwargs["ResourceType"])
    resource = cmm.CustomModel(region_name, str(uuid.uuid4()), kwargs["LogicalId"],
                               answer.get("PhysicalResourceId") or resource_name)
    resource.set_data(answer.get("Data") or {})
    resource.sl = dict(props=props, stack_id=kwargs["StackId"], type=kwargs["ResourceType"], account=account_id,
                       replace_policy=cloudformation_json.get("UpdateReplacePolicy"))
    return resource


@classmethod
def _custom_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    sl = original_resource.sl
    props = cloudformation_json["Properties"]
    answer = _custom_request("Update", props, account_id, region_name, sl["stack_id"],
                             original_resource.logical_id, sl["type"], original_resource.resource_name, sl["props"])
    new_id = answer.get("PhysicalResourceId") or original_resource.resource_name
    if new_id != original_resource.resource_name and sl["replace_policy"] not in ("Retain",):
        # a new physical id is a replacement: the old one gets a Delete
        _custom_request("Delete", sl["props"], account_id, region_name, sl["stack_id"],
                        original_resource.logical_id, sl["type"], original_resource.resource_name)
    resource = cmm.CustomModel(region_name, str(uuid.uuid4()), original_resource.logical_id, new_id)
    resource.set_data(answer.get("Data") or {})
    resource.sl = dict(sl, props=props, replace_policy=cloudformation_json.get("UpdateReplacePolicy"))
    return resource


def _custom_delete(self, account_id, region_name):
    sl = self.sl
    _custom_request("Delete", sl["props"], account_id, region_name, sl["stack_id"], self.logical_id, sl["type"],
                    self.resource_name)


cmm.CustomModel.create_from_cloudformation_json = _custom_create
cmm.CustomModel.update_from_cloudformation_json = _custom_update
cmm.CustomModel.delete = _custom_delete


# 19. What a custom resource function sees of its own stack (the preferences
#     function asks before restoring defaults, docs/functions.md): moto's
#     stack deletion never shows DELETE_IN_PROGRESS (DescribeStacks answers
#     the old status while the resources are deleted), and a StackSet
#     instance's stack is hidden from DescribeStacks in its account. As
#     documented (DescribeStacks StackStatus; StackSets: "a stack instance is
#     a reference to a stack in a target account"), the stack is
#     DELETE_IN_PROGRESS while its resources are deleted, and DescribeStacks
#     by stack ARN finds an instance's stack in its account and region.
_orig_stack_delete = cfm.Stack.delete


def _stack_delete(self):
    self.status = "DELETE_IN_PROGRESS"
    _orig_stack_delete(self)


cfm.Stack.delete = _stack_delete
_orig_describe_stacks = cfm.CloudFormationBackend.describe_stacks


def _describe_stacks(self, name_or_stack_id):
    try:
        return _orig_describe_stacks(self, name_or_stack_id)
    except cfm.ValidationError:
        if not str(name_or_stack_id).startswith("arn:"):
            raise
        for regions in list(cfm.cloudformation_backends.values()):
            for backend in list(regions.values()):
                for stackset in list(backend.stacksets.values()):
                    for instance in stackset.instances.stack_instances:
                        if instance.stack.stack_id == name_or_stack_id and instance.account_id == self.account_id:
                            return [instance.stack]
        raise


cfm.CloudFormationBackend.describe_stacks = _describe_stacks


# 20. SSM GetDocument: through the server, a JSON document created with a
#     string Content is answered with Content as a JSON object (moto keeps
#     the parsed request parameter). The API reference gives Content as a
#     String: answered as the JSON text.
from moto.ssm import models as ssmm  # noqa: E402

_orig_document_information = ssmm.SimpleSystemManagerBackend._generate_document_information


def _document_information(self, ssm_document, document_format):
    info = _orig_document_information(self, ssm_document, document_format)
    if isinstance(info.get("Content"), (dict, list)):
        info["Content"] = json.dumps(info["Content"])
    return info


ssmm.SimpleSystemManagerBackend._generate_document_information = _document_information


# 21. AWS::Lambda::Function update with inline code (`Code.ZipFile`): moto
#     zips the plain-text code when it creates the function, but an update
#     (here: a changed Environment) stores the text undecoded, and the
#     function cannot run any more. As on create, and as documented for
#     ZipFile ("the code is placed in a file named index"), the update's code
#     is zipped.
_orig_function_update = lambdam.LambdaFunction.update_from_cloudformation_json.__func__


@classmethod
def _function_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    code = cloudformation_json["Properties"].get("Code", {})
    if isinstance(code.get("ZipFile"), str):
        code = dict(code, ZipFile=base64.b64encode(cls._create_zipfile_from_plaintext_code(code["ZipFile"])))
        cloudformation_json = dict(cloudformation_json, Properties=dict(cloudformation_json["Properties"], Code=code))
    return _orig_function_update(cls, original_resource, new_resource_name, cloudformation_json, account_id,
                                 region_name)


lambdam.LambdaFunction.update_from_cloudformation_json = _function_update


# 14. AWS::KMS::Alias: moto creates an alias from a template even when that
#     alias name exists (CreateAlias answers AlreadyExistsException on AWS,
#     and the stack fails).
from moto.kms.exceptions import AlreadyExistsException as KmsAlreadyExists  # noqa: E402

_orig_alias_create = kmsm.Alias.create_from_cloudformation_json.__func__


@classmethod
def _alias_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    name = cloudformation_json["Properties"]["AliasName"]
    if kmsm.kms_backends[account_id][region_name].alias_exists(name):
        raise KmsAlreadyExists(f"An alias with the name arn:aws:kms:{region_name}:{account_id}:{name} already exists")
    return _orig_alias_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


kmsm.Alias.create_from_cloudformation_json = _alias_create


# 15. CloudWatch Logs AssociateKmsKey is missing from moto (an unknown action);
#     on AWS it sets the key that encrypts newly ingested events.
from moto.logs import responses as logsr  # noqa: E402


def _associate_kms_key(self):
    name = self._get_param("logGroupName")
    group = self.logs_backend.groups.get(name)
    if group is None:
        from moto.logs.exceptions import ResourceNotFoundException
        raise ResourceNotFoundException()
    group.kms_key_id = self._get_param("kmsKeyId")
    return "{}"


logsr.LogsResponse.associate_kms_key = _associate_kms_key


# 16. AWS::SSO::PermissionSet is unknown to moto's CloudFormation (its
#     sso-admin API exists): created, updated and deleted through that API,
#     so a stack's permission set is visible to `aws sso-admin`.
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


# 19-21. The management-account guardrails (issue 8): moto implements
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


# 22. SSM documents: moto 5.2.1 refuses DocumentFormat TEXT and the document
#     types AutoApprovalPolicy and ManualApprovalPolicy, and reads every
#     document as JSON/YAML with a schemaVersion. AWS's CreateDocument takes
#     `YAML | JSON | TEXT` and both types (SSM API reference, DocumentType
#     and DocumentFormat valid values); just-in-time node access approval
#     policies are Cedar text. Patched: those types and TEXT are accepted, a
#     TEXT document is kept as written (no schemaVersion, no parameters).
from moto.ssm import models as ssmm  # noqa: E402

_orig_validate_document_info = ssmm._validate_document_info
_orig_validate_document_format = ssmm._validate_document_format
_JIT_TYPES = ("AutoApprovalPolicy", "ManualApprovalPolicy")


def _validate_document_format(document_format):
    if document_format != "TEXT":
        _orig_validate_document_format(document_format)


def _validate_document_info(content, name, document_type, document_format, strict=True):
    _orig_validate_document_info(content, name, None if document_type in _JIT_TYPES else document_type,
                                 "JSON" if document_format == "TEXT" else document_format,
                                 strict=strict and document_type not in _JIT_TYPES)


_orig_document_init = ssmm.Document.__init__


def _document_init(self, account_id, name, version_name, content, document_type, document_format,
                   requires, attachments, target_type, document_version="1"):
    if document_format != "TEXT":
        return _orig_document_init(self, account_id, name, version_name, content, document_type,
                                   document_format, requires, attachments, target_type, document_version)
    self.name = name
    self.version_name = version_name
    self.content = content
    self.document_type = document_type
    self.document_format = document_format
    self.requires = requires
    self.attachments = attachments
    self.target_type = target_type
    self.status = "Active"
    self.document_version = document_version
    self.owner = account_id
    self.created_date = ssmm.utcnow()
    self.content_json = None
    self.schema_version = None
    self.description = None
    self.outputs = None
    self.files = None
    self.platform_types = []
    self.parameter_list = []


ssmm._validate_document_format = _validate_document_format
ssmm._validate_document_info = _validate_document_info
ssmm.Document.__init__ = _document_init


# 24. Stack deletion order: moto deletes a stack's resources in the order of
#     a Python set (a different order in every server process, with hash
#     randomization), so a custom resource's function may be deleted before
#     the custom resource is sent its Delete ("Function not found").
#     CloudFormation deletes a resource before the resources it refers to
#     (AWS CloudFormation User Guide, "DependsOn attribute": "resources are
#     deleted in the reverse order of their creation"; Ref, Fn::GetAtt and
#     Fn::Sub create the same dependencies). Patched: dependents first, then
#     what they depend on; moto's retry of the remaining ones is kept.
def _refs_of(value, names, out):
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "Ref" and isinstance(v, str) and v in names:
                out.add(v)
            elif k == "Fn::GetAtt":
                target = v[0] if isinstance(v, list) else str(v).split(".")[0]
                if target in names:
                    out.add(target)
            elif k == "Fn::Sub":
                text = v[0] if isinstance(v, list) else v
                if isinstance(text, str):
                    out.update(m for m in re.findall(r"\$\{([^}!.]+)", text) if m in names)
                if isinstance(v, list) and len(v) > 1:
                    _refs_of(v[1], names, out)
            else:
                _refs_of(v, names, out)
    elif isinstance(value, list):
        for v in value:
            _refs_of(v, names, out)


def _deletion_order(resource_json_map):
    names = set(resource_json_map)
    deps = {}
    for name, body in resource_json_map.items():
        out = set()
        _refs_of(body.get("Properties", {}), names, out)
        depends_on = body.get("DependsOn", [])
        out.update([depends_on] if isinstance(depends_on, str) else depends_on)
        deps[name] = (out & names) - {name}
    order, remaining = [], set(names)
    while remaining:
        ready = sorted(n for n in remaining if not any(n in deps[m] for m in remaining if m != n))
        for n in ready or sorted(remaining):
            order.append(n)
            remaining.discard(n)
    return order


def _map_delete(self):
    remaining = [k for k in _deletion_order(self._resource_json_map)
                 if self._resource_json_map[k].get("DeletionPolicy") != "Retain"]
    previous, last = len(remaining) + 1, None
    while remaining and len(remaining) < previous:
        previous = len(remaining)
        for resource in list(remaining):
            parsed = self._parsed_resources.get(resource)
            try:
                if not isinstance(parsed, str) and parsed is not None:
                    self._delete_resource(parsed, self._resource_json_map[parsed.logical_resource_id])
                    self._parsed_resources.pop(parsed.logical_resource_id)
            except Exception as error:  # a dependency still there: next pass
                last = error
            else:
                remaining.remove(resource)
    if remaining:
        raise last


_parsing.ResourceMap.delete = _map_delete


# 23. S3 GetBucketVersioning (issue 18, `sessionlog verify`): moto 5.2.1
#    serializes the answer under a `GetBucketVersioningResponse` root; S3's
#    API reference documents `VersioningConfiguration` as the root element
#    (the SDK for Rust refuses any other).
from moto.s3 import responses as _s3r


def _get_bucket_versioning(self):
    status = self.backend.get_bucket_versioning(self.bucket_name)
    inner = f"<Status>{status}</Status>" if status else ""
    body = ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{inner}</VersioningConfiguration>')
    return 200, {}, body


_s3r.S3Response.get_bucket_versioning = _get_bucket_versioning


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
    SERVER["url"] = f"http://127.0.0.1:{server.server_port}"
    print(f"READY {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
