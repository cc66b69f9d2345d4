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

# 8. The log copy (CloudWatch Logs → destination → Firehose → S3). moto's
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


# 9. Firehose S3 delivery: moto writes every record as is under
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


# ReplicaKey must be known before the model map is first built.
from moto.cloudformation import parsing as _parsing  # noqa: E402

_parsing.get_model_map.cache_clear()


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
