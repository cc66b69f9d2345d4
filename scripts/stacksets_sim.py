#!/usr/bin/env python3
"""A CloudFormation StackSets simulator on 127.0.0.1, on a compressed clock.

    stacksets_sim.py [--port 0] [--ms-per-second 10] [--accounts 1000] [--ous 4]
                     [--suspended 0] [--closing 0] [--duration-median 45]
                     [--duration-sigma 0.35] [--duration-fixed S] [--fail A:R,...]
                     [--region-cap 3500] [--cfn-rate 10] [--cfn-burst 20]
                     [--org-rate 4] [--org-burst 8] [--seed 1] [--max-seconds 1800]

It speaks the protocols the AWS SDKs use (CloudFormation and STS: query
protocol with XML answers; Organizations: JSON 1.1; Account: REST-JSON) for
the calls a StackSets rollout makes, so `sessionlog deploy` and the AWS CLI
run against it unchanged. It implements what decides how long a rollout
takes; every rule and the AWS page it comes from is listed in docs/scale.md:

- one operation at a time per StackSet: OperationInProgressException without
  managed execution, a FIFO queue (status QUEUED) with it;
- MaxConcurrentCount / MaxConcurrentPercentage per Region (percentages round
  down, never below 1), RegionConcurrencyType SEQUENTIAL (RegionOrder, else
  the order given) or PARALLEL;
- FailureToleranceCount / Percentage per Region and ConcurrencyMode: STRICT
  keeps running + failed <= tolerance + 1, SOFT runs at MaxConcurrent; a
  Region past its tolerance stops, later Regions (SEQUENTIAL) are cancelled;
- the account-level quota on stack instances operated on at the same time
  in one Region across all StackSets (--region-cap);
- auto-deployment when an account moves into a target OU (POST
  /_sim/move-account), without the operation preferences, ordered by
  AutoDeployment.DependsOn;
- suspended accounts are skipped (SKIPPED_SUSPENDED_ACCOUNT);
- API throttling: token buckets per service (rates in simulated seconds),
  answered with the service's throttling error, which the SDKs retry;
- a duration per stack instance drawn from a log-normal distribution
  (deterministic per StackSet, account, Region and action).

Simulated time is real time since start divided by --ms-per-second. The
simulation is event driven and advanced to "now" on every request, so an
operation's timestamps are exact whatever the polling.

GET /_sim/stats answers {"now", "calls", "throttled", "by_action"} since the
last POST /_sim/reset (which also starts a new "work" record);
GET /_sim/floor answers the floor of the work done since the reset: the
shortest time the limits allow for the same instance operations.
Prints `READY <port>` once listening. Exits when its parent dies or after
--max-seconds.
"""
import argparse
import hashlib
import heapq
import json
import math
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

CFN_NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
EPOCH = 1767225600.0  # 2026-01-01T00:00:00Z: simulated time 0
MANAGEMENT = "999999999999"
ORG_ID = "o-sim0000001"
ROOT = "r-sim0"
WORKLOADS = "ou-sim0-workload"
REGIONS_BY_DEFAULT = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
    "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2",
]


class SimError(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


# ---------------------------------------------------------------- the model

class Bucket:
    """A token bucket refilled in simulated seconds."""

    def __init__(self, rate, burst):
        self.rate, self.burst, self.tokens, self.at = rate, burst, float(burst), 0.0

    def take(self, now):
        if self.rate <= 0:
            return True
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Operation:
    def __init__(self, sim, ss, action, pairs, prefs, op_id, auto=False, after=()):
        self.sim, self.ss, self.action, self.id = sim, ss, action, op_id
        self.prefs, self.auto, self.after = prefs, auto, list(after)
        self.status = "QUEUED"
        self.created = sim.now()
        self.started = self.ended = None
        self.reason = None
        self.results = {}  # (account, region) -> (status, reason)
        order = prefs.get("RegionOrder") or []
        regions = []
        for r in order + [r for _, r in pairs]:
            if r not in regions and any(pr == r for _, pr in pairs):
                regions.append(r)
        self.regions = regions
        self.pending = {r: sorted(a for a, pr in pairs if pr == r) for r in regions}
        self.total = {r: len(v) for r, v in self.pending.items()}
        self.running = {r: 0 for r in regions}
        self.failed = {r: 0 for r in regions}
        self.stopped = set()
        for a, r in pairs:
            self.results[(a, r)] = ("PENDING", None)

    def amount(self, count_key, pct_key, n, default, at_least_one):
        if self.prefs.get(count_key) is not None:
            return int(self.prefs[count_key])
        if self.prefs.get(pct_key) is not None:
            v = int(math.floor(int(self.prefs[pct_key]) * n / 100.0))
            return max(1, v) if at_least_one else v
        return default

    def concurrency(self, r):
        n = self.total[r]
        mc = self.amount("MaxConcurrentCount", "MaxConcurrentPercentage", n, 1, True)
        tol = self.tolerance(r)
        if self.prefs.get("ConcurrencyMode", "STRICT_FAILURE_TOLERANCE") == "SOFT_FAILURE_TOLERANCE":
            return mc
        # STRICT: never more than tolerance + 1 failed accounts.
        return max(0, min(mc, tol + 1) - self.failed[r])

    def tolerance(self, r):
        if self.auto:
            return self.total[r]
        return self.amount("FailureToleranceCount", "FailureTolerancePercentage", self.total[r], 0, False)

    def active_regions(self):
        if self.auto or self.prefs.get("RegionConcurrencyType", "SEQUENTIAL") == "PARALLEL":
            return [r for r in self.regions if r not in self.stopped]
        for r in self.regions:
            if r in self.stopped:
                return []  # a stopped Region stops the later ones
            if self.pending[r] or self.running[r]:
                return [r]
        return []

    def finished(self):
        return all(not self.running[r] for r in self.regions) and not self.active_regions_with_work()

    def active_regions_with_work(self):
        return [r for r in self.active_regions() if self.pending[r]]


class StackSet:
    def __init__(self, name, q):
        self.name = name
        self.id = f"{name}:{uuid.uuid4()}"
        self.arn = f"arn:aws:cloudformation:us-east-1:{MANAGEMENT}:stackset/{self.id}"
        self.apply(q)
        self.managed = q.get("ManagedExecution.Active") == "true"
        self.instances = {}  # (account, region) -> dict
        self.ous = []
        self.regions = []
        self.operations = []  # newest last
        self.generation = 0

    def apply(self, q):
        if "TemplateBody" in q:
            self.template = q["TemplateBody"]
        if "Description" in q:
            self.description = q["Description"]
        elif not hasattr(self, "description"):
            self.description = ""
        params = members(q, "Parameters")
        if params or not hasattr(self, "parameters"):
            self.parameters = {p.get("ParameterKey"): p.get("ParameterValue", "") for p in params}
        caps = members(q, "Capabilities")
        if caps or not hasattr(self, "capabilities"):
            self.capabilities = caps
        if "AutoDeployment.Enabled" in q:
            self.auto = {
                "Enabled": q.get("AutoDeployment.Enabled") == "true",
                "Retain": q.get("AutoDeployment.RetainStacksOnAccountRemoval") == "true",
                "DependsOn": members(q, "AutoDeployment.DependsOn"),
            }
        elif not hasattr(self, "auto"):
            self.auto = {"Enabled": False, "Retain": False, "DependsOn": []}


class Sim:
    def __init__(self, args):
        self.args = args
        self.t0 = time.monotonic()
        self.lock = threading.RLock()
        self.sets = {}
        self.ops = {}
        self.events = []  # (time, seq, op_id, account, region, ok)
        self.seq = 0
        self.region_running = {}
        self.fail = set(tuple(x.split(":")) for x in args.fail.split(",") if x)
        self.buckets = {
            "cloudformation": Bucket(args.cfn_rate, args.cfn_burst),
            "organizations": Bucket(args.org_rate, args.org_burst),
        }
        # The organization: root -> the workloads OU -> --ous OUs -> the
        # accounts, dealt out in turn (the last ones suspended, then closing).
        self.ous = {ROOT: [WORKLOADS], WORKLOADS: [f"ou-sim0-{i:08d}" for i in range(args.ous)]}
        for ou in self.ous[WORKLOADS]:
            self.ous[ou] = []
        self.accounts = {}
        self.parent = {}
        ids = [f"{100000000000 + i}" for i in range(args.accounts)]
        for i, a in enumerate(ids):
            state = "ACTIVE"
            if i >= args.accounts - args.suspended:
                state = "SUSPENDED"
            elif i >= args.accounts - args.suspended - args.closing:
                state = "PENDING_CLOSURE"
            self.accounts[a] = state
            self.parent[a] = self.ous[WORKLOADS][i % args.ous] if args.ous else WORKLOADS
        self.accounts[MANAGEMENT] = "ACTIVE"
        self.parent[MANAGEMENT] = ROOT
        self.reset()

    def now(self):
        return (time.monotonic() - self.t0) * 1000.0 / self.args.ms_per_second

    def reset(self):
        self.stats_t0 = self.now()
        self.calls = 0
        self.throttled = 0
        self.by_action = {}
        self.work = []  # (region, duration, set name) of every instance operation run

    # -- Organizations -------------------------------------------------------
    def accounts_under(self, ou):
        out, stack = [], [ou]
        while stack:
            p = stack.pop()
            out += sorted(a for a, par in self.parent.items() if par == p and a != MANAGEMENT)
            stack += self.ous.get(p, [])
        return out

    # -- the event-driven core ----------------------------------------------
    def duration(self, ss, account, region, action):
        if self.args.duration_fixed is not None:
            return self.args.duration_fixed
        h = hashlib.sha256(f"{self.args.seed}/{ss.name}/{account}/{region}/{action}/{ss.generation}".encode()).digest()
        u1 = (int.from_bytes(h[:8], "big") + 1) / (2.0 ** 64 + 2)
        u2 = (int.from_bytes(h[8:16], "big") + 1) / (2.0 ** 64 + 2)
        z = math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)
        return self.args.duration_median * math.exp(self.args.duration_sigma * z)

    def advance(self, until):
        """Process every event up to `until` (simulated seconds)."""
        while self.events and self.events[0][0] <= until:
            t, _, op_id, a, r, ok = heapq.heappop(self.events)
            op = self.ops[op_id]
            op.running[r] -= 1
            self.region_running[r] -= 1
            ss = op.ss
            inst = ss.instances.get((a, r))
            if ok:
                op.results[(a, r)] = ("SUCCEEDED", None)
                if op.action == "DELETE":
                    ss.instances.pop((a, r), None)
                elif inst is not None:
                    inst.update(status="CURRENT", detailed="SUCCEEDED", reason=None, generation=ss.generation)
            else:
                reason = f"simulated failure of {a}/{r}"
                op.results[(a, r)] = ("FAILED", reason)
                op.failed[r] += 1
                if inst is not None:
                    inst.update(status="OUTDATED", detailed="FAILED", reason=reason)
                if op.failed[r] > op.tolerance(r):
                    op.stopped.add(r)
            self.schedule(t)
        self.schedule(until)

    def schedule(self, t):
        """Start whatever may start at time t: queued operations, then
        instances; again while an operation ended (its queue moves on)."""
        while self.schedule_once(t):
            pass

    def schedule_once(self, t):
        ended = sum(1 for o in self.ops.values() if o.status in ("SUCCEEDED", "FAILED"))
        for ss in self.sets.values():
            running = [o for o in ss.operations if o.status == "RUNNING"]
            for o in running:
                if o.finished():
                    self.finish(o, t)
            if any(o.status == "RUNNING" for o in ss.operations):
                continue
            for o in ss.operations:
                if o.status != "QUEUED":
                    continue
                deps = [self.ops[d] for d in o.after]
                if any(d.status in ("QUEUED", "RUNNING") for d in deps):
                    continue
                if any(d.status != "SUCCEEDED" for d in deps):
                    o.status, o.reason, o.started, o.ended = "FAILED", "a StackSet it depends on failed", t, t
                    continue
                o.status, o.started = "RUNNING", t
                break
        # Instances, oldest operation first, within the per-Region quota.
        for op in sorted((o for o in self.ops.values() if o.status == "RUNNING"), key=lambda o: o.started):
            for r in op.active_regions():
                while op.pending[r] and op.running[r] < op.concurrency(r) and self.region_running.get(r, 0) < self.args.region_cap:
                    a = op.pending[r].pop(0)
                    self.start_instance(op, a, r, t)
            if op.finished():
                self.finish(op, t)
        return sum(1 for o in self.ops.values() if o.status in ("SUCCEEDED", "FAILED")) != ended

    def start_instance(self, op, a, r, t):
        ss = op.ss
        if self.accounts.get(a) == "SUSPENDED":
            op.results[(a, r)] = ("SKIPPED", "account suspended")
            if (a, r) in ss.instances:
                ss.instances[(a, r)].update(detailed="SKIPPED_SUSPENDED_ACCOUNT", status="OUTDATED")
            return
        d = self.duration(ss, a, r, op.action)
        ok = (a, r) not in self.fail
        op.running[r] += 1
        op.results[(a, r)] = ("RUNNING", None)
        self.region_running[r] = self.region_running.get(r, 0) + 1
        if (a, r) in ss.instances and op.action != "DELETE":
            ss.instances[(a, r)].update(detailed="RUNNING")
        self.work.append((r, d, ss.name))
        self.seq += 1
        heapq.heappush(self.events, (t + d, self.seq, op.id, a, r, ok))

    def finish(self, op, t):
        for (a, r), (st, _) in list(op.results.items()):
            if st == "PENDING":
                op.results[(a, r)] = ("CANCELLED", "the operation stopped in this Region or an earlier one")
                inst = op.ss.instances.get((a, r))
                if inst is not None and inst["detailed"] in ("PENDING", "RUNNING"):
                    inst.update(detailed="CANCELLED")
        op.status = "FAILED" if op.stopped else "SUCCEEDED"
        if op.stopped:
            op.reason = "failure tolerance exceeded in " + ", ".join(sorted(op.stopped))
        op.ended = t

    def start_operation(self, ss, action, pairs, prefs, op_id, auto=False, after=(), at=None):
        if op_id in self.ops:
            raise SimError("OperationIdAlreadyExistsException", f"operation {op_id} already exists")
        busy = any(o.status in ("QUEUED", "RUNNING") for o in ss.operations)
        if busy and not ss.managed and not auto:
            raise SimError("OperationInProgressException", f"another operation is in progress on {ss.name}")
        op = Operation(self, ss, action, pairs, prefs, op_id, auto, after)
        if at is not None:
            op.created = at
        ss.operations.append(op)
        self.ops[op_id] = op
        for a, r in pairs:
            if action == "DELETE":
                continue
            inst = ss.instances.setdefault((a, r), {"status": "OUTDATED", "detailed": "PENDING", "reason": None, "generation": -1})
            inst.update(status="OUTDATED", detailed="PENDING", last_op=op_id)
        self.schedule(op.created)
        return op

    # -- auto-deployment ------------------------------------------------------
    def move_account(self, account, ou):
        t = self.now()
        self.advance(t)
        self.parent[account] = ou
        started = {}
        sets = [s for s in self.sets.values() if s.auto["Enabled"] and any(account in self.accounts_under(o) for o in s.ous)]
        # Dependencies first (DependsOn holds StackSet ARNs).
        by_arn = {s.arn: s for s in sets}
        done, order = set(), []

        def visit(s):
            if s.name in done:
                return
            done.add(s.name)
            for d in s.auto["DependsOn"]:
                if d in by_arn:
                    visit(by_arn[d])
            order.append(s)
        for s in sets:
            visit(s)
        for s in order:
            after = [started[by_arn[d].name] for d in s.auto["DependsOn"] if d in by_arn and by_arn[d].name in started]
            op_id = f"auto-{uuid.uuid4()}"
            self.start_operation(s, "CREATE", [(account, r) for r in s.regions], {}, op_id, auto=True, after=after, at=t)
            started[s.name] = op_id
        return started

    def floor(self, after=()):
        """Shortest time the limits allow for the work since the reset: per
        Region, no less than its longest instance and no less than its total
        instance time spread over the per-Region quota; and, where a StackSet
        must follow another (`after`: (set, the set it follows) pairs), no
        less than the chain of their longest instances (one operation at a
        time per StackSet, the next one after the other's ended)."""
        by_region, longest = {}, {}
        for r, d, name in self.work:
            by_region.setdefault(r, []).append(d)
            longest[name] = max(longest.get(name, 0.0), d)
        best = 0.0
        for ds in by_region.values():
            best = max(best, max(ds), sum(ds) / self.args.region_cap)
        deps = {}
        for b, a in after:
            deps.setdefault(b, []).append(a)

        def chain(name, seen=()):
            if name in seen:
                return 0.0
            return longest.get(name, 0.0) + max([chain(a, seen + (name,)) for a in deps.get(name, [])] or [0.0])
        for name in longest:
            best = max(best, chain(name))
        return best


# ------------------------------------------------------------ request parsing

def members(q, prefix):
    """`Prefix.member.N` (strings) or `Prefix.member.N.Key` (dicts), in order."""
    out = {}
    pat = re.compile(re.escape(prefix) + r"\.member\.(\d+)(?:\.(.+))?$")
    for k, v in q.items():
        m = pat.match(k)
        if not m:
            continue
        n = int(m.group(1))
        if m.group(2):
            out.setdefault(n, {})[m.group(2)] = v
        else:
            out[n] = v
    return [out[n] for n in sorted(out)]


def prefs_of(q):
    p = {}
    for k in ("MaxConcurrentCount", "MaxConcurrentPercentage", "FailureToleranceCount", "FailureTolerancePercentage",
              "RegionConcurrencyType", "ConcurrencyMode"):
        v = q.get(f"OperationPreferences.{k}")
        if v is not None:
            p[k] = v
    order = members(q, "OperationPreferences.RegionOrder")
    if order:
        p["RegionOrder"] = order
    return p


def ts(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(EPOCH + t)) + f".{int((t % 1) * 1000):03d}Z"


def x(tag, value):
    return f"<{tag}>{escape(str(value))}</{tag}>" if value is not None else ""


# ---------------------------------------------------------- CloudFormation

def cfn(sim, action, q):
    name = q.get("StackSetName")
    ss = sim.sets.get(name) if name else None

    def need():
        if ss is None:
            raise SimError("StackSetNotFoundException", f"StackSet {name} not found")
        return ss

    if action == "CreateStackSet":
        if ss is not None:
            raise SimError("NameAlreadyExistsException", f"StackSet {name} already exists")
        ss = StackSet(name, q)
        sim.sets[name] = ss
        return f"<StackSetId>{ss.id}</StackSetId>"
    if action == "DescribeStackSet":
        s = need()
        params = "".join(f"<member>{x('ParameterKey', k)}{x('ParameterValue', v)}</member>" for k, v in s.parameters.items())
        caps = "".join(f"<member>{escape(c)}</member>" for c in s.capabilities)
        deps = "".join(f"<member>{escape(d)}</member>" for d in s.auto["DependsOn"])
        ous = "".join(f"<member>{escape(o)}</member>" for o in s.ous)
        regions = "".join(f"<member>{escape(r)}</member>" for r in s.regions)
        return (f"<StackSet>{x('StackSetName', s.name)}{x('StackSetId', s.id)}{x('StackSetARN', s.arn)}"
                f"{x('Description', s.description)}<Status>ACTIVE</Status>{x('TemplateBody', s.template)}"
                f"<Parameters>{params}</Parameters><Capabilities>{caps}</Capabilities>"
                f"<PermissionModel>SERVICE_MANAGED</PermissionModel>"
                f"<AutoDeployment><Enabled>{str(s.auto['Enabled']).lower()}</Enabled>"
                f"<RetainStacksOnAccountRemoval>{str(s.auto['Retain']).lower()}</RetainStacksOnAccountRemoval>"
                f"<DependsOn>{deps}</DependsOn></AutoDeployment>"
                f"<ManagedExecution><Active>{str(s.managed).lower()}</Active></ManagedExecution>"
                f"<OrganizationalUnitIds>{ous}</OrganizationalUnitIds><Regions>{regions}</Regions></StackSet>")
    if action == "UpdateStackSet":
        s = need()
        op_id = q.get("OperationId") or str(uuid.uuid4())
        if any(o.status in ("QUEUED", "RUNNING") for o in s.operations) and not s.managed:
            raise SimError("OperationInProgressException", f"another operation is in progress on {s.name}")
        s.apply(q)
        s.generation += 1
        pairs = sorted(s.instances)
        regions = members(q, "Regions")
        if regions:
            pairs = [p for p in pairs if p[1] in regions]
        sim.start_operation(s, "UPDATE", pairs, prefs_of(q), op_id)
        return f"<OperationId>{op_id}</OperationId>"
    if action in ("CreateStackInstances", "UpdateStackInstances", "DeleteStackInstances"):
        s = need()
        op_id = q.get("OperationId") or str(uuid.uuid4())
        regions = members(q, "Regions")
        ous = members(q, "DeploymentTargets.OrganizationalUnitIds")
        accounts = members(q, "DeploymentTargets.Accounts")
        filt = q.get("DeploymentTargets.AccountFilterType", "NONE")
        under = []
        for ou in ous:
            under += [a for a in sim.accounts_under(ou) if a not in under]
        if filt == "INTERSECTION":
            chosen = [a for a in under if a in accounts]
        elif filt == "DIFFERENCE":
            chosen = [a for a in under if a not in accounts]
        elif filt == "UNION":
            chosen = under + [a for a in accounts if a not in under]
        else:
            chosen = under if ous else accounts
        pairs = [(a, r) for r in regions for a in chosen]
        if action == "UpdateStackInstances":
            pairs = [p for p in pairs if p in s.instances]
            verb = "UPDATE"
        elif action == "DeleteStackInstances":
            pairs = [p for p in pairs if p in s.instances]
            verb = "DELETE"
        else:
            verb = "CREATE"
            for o in ous:
                if o not in s.ous:
                    s.ous.append(o)
            for r in regions:
                if r not in s.regions:
                    s.regions.append(r)
        sim.start_operation(s, verb, pairs, prefs_of(q), op_id)
        if verb == "DELETE":
            left = {r for (_, r) in s.instances if (_, r) not in pairs}
            s.regions = [r for r in s.regions if r in left or r not in regions]
        return f"<OperationId>{op_id}</OperationId>"
    if action == "DescribeStackSetOperation":
        s = need()
        op = sim.ops.get(q.get("OperationId"))
        if op is None or op.ss is not s:
            raise SimError("OperationNotFoundException", "operation not found")
        return f"<StackSetOperation>{op_xml(op)}</StackSetOperation>"
    if action == "ListStackSetOperations":
        s = need()
        ops = list(reversed(s.operations))
        page, token = paged(ops, q, 100)
        body = "".join(f"<member>{op_xml(o)}</member>" for o in page)
        return f"<Summaries>{body}</Summaries>{x('NextToken', token)}"
    if action == "ListStackSetOperationResults":
        s = need()
        op = sim.ops.get(q.get("OperationId"))
        if op is None or op.ss is not s:
            raise SimError("OperationNotFoundException", "operation not found")
        rows = sorted(op.results.items())
        page, token = paged(rows, q, 100)
        body = "".join(
            f"<member>{x('Account', a)}{x('Region', r)}{x('Status', st)}{x('StatusReason', why)}</member>"
            for (a, r), (st, why) in page)
        return f"<Summaries>{body}</Summaries>{x('NextToken', token)}"
    if action == "ListStackInstances":
        s = need()
        filters = {f.get("Name"): f.get("Values") for f in members(q, "Filters")}
        rows = []
        for (a, r), i in s.instances.items():
            if q.get("StackInstanceAccount") not in (None, a) or q.get("StackInstanceRegion") not in (None, r):
                continue
            if "DETAILED_STATUS" in filters and i["detailed"] != filters["DETAILED_STATUS"]:
                continue
            if "LAST_OPERATION_ID" in filters and i.get("last_op") != filters["LAST_OPERATION_ID"]:
                continue
            rows.append((a, r, i))
        rows.sort(key=lambda x: (x[0], x[1]))
        page, token = paged(rows, q, 100)
        body = "".join(
            f"<member>{x('StackSetId', s.id)}{x('Account', a)}{x('Region', r)}{x('Status', i['status'])}"
            f"<StackInstanceStatus>{x('DetailedStatus', i['detailed'])}</StackInstanceStatus>"
            f"{x('StatusReason', i['reason'])}{x('LastOperationId', i.get('last_op'))}"
            f"{x('OrganizationalUnitId', sim.parent.get(a))}</member>"
            for a, r, i in page)
        return f"<Summaries>{body}</Summaries>{x('NextToken', token)}"
    if action == "DeleteStackSet":
        s = need()
        if s.instances:
            raise SimError("StackSetNotEmptyException", f"StackSet {name} still has instances")
        del sim.sets[name]
        return ""
    if action == "DescribeStacks":
        raise SimError("ValidationError", f"Stack with id {q.get('StackName')} does not exist")
    raise SimError("InvalidAction", f"the simulator does not implement {action}")


def paged(rows, q, limit):
    start = int(q.get("NextToken") or 0)
    n = min(int(q.get("MaxResults") or limit), limit)
    page = rows[start:start + n]
    return page, (str(start + n) if start + n < len(rows) else None)


def op_xml(o):
    p = o.prefs
    prefs = "".join(x(k, p[k]) for k in ("RegionConcurrencyType", "MaxConcurrentCount", "MaxConcurrentPercentage",
                                         "FailureToleranceCount", "FailureTolerancePercentage", "ConcurrencyMode") if k in p)
    return (f"{x('OperationId', o.id)}{x('StackSetId', o.ss.id)}{x('Action', o.action)}{x('Status', o.status)}"
            f"<OperationPreferences>{prefs}</OperationPreferences>"
            f"{x('CreationTimestamp', ts(o.created))}{x('EndTimestamp', ts(o.ended) if o.ended is not None else None)}"
            f"{x('StatusReason', o.reason)}")


# ------------------------------------------------------------ Organizations

def org(sim, action, body):
    def page(rows, key):
        start = int(body.get("NextToken") or 0)
        n = min(int(body.get("MaxResults") or 20), 20)
        out = {key: rows[start:start + n]}
        if start + n < len(rows):
            out["NextToken"] = str(start + n)
        return out

    def account(a):
        state = sim.accounts[a]
        status = "SUSPENDED" if state in ("SUSPENDED", "CLOSED") else "ACTIVE"
        return {"Id": a, "Arn": f"arn:aws:organizations::{MANAGEMENT}:account/{ORG_ID}/{a}", "Email": f"{a}@example.com",
                "Name": f"account-{a}", "Status": status, "State": state, "JoinedMethod": "CREATED", "JoinedTimestamp": 1.7e9}

    if action == "DescribeOrganization":
        return {"Organization": {"Id": ORG_ID, "MasterAccountId": MANAGEMENT, "FeatureSet": "ALL",
                                 "Arn": f"arn:aws:organizations::{MANAGEMENT}:organization/{ORG_ID}"}}
    if action == "ListRoots":
        return {"Roots": [{"Id": ROOT, "Name": "Root", "Arn": f"arn:aws:organizations::{MANAGEMENT}:root/{ORG_ID}/{ROOT}"}]}
    if action == "ListAccountsForParent":
        p = body.get("ParentId")
        return page([account(a) for a, par in sorted(sim.parent.items()) if par == p], "Accounts")
    if action == "ListAccounts":
        return page([account(a) for a in sorted(sim.accounts)], "Accounts")
    if action == "ListOrganizationalUnitsForParent":
        p = body.get("ParentId")
        return page([{"Id": o, "Name": o, "Arn": f"arn:aws:organizations::{MANAGEMENT}:ou/{ORG_ID}/{o}"} for o in sim.ous.get(p, [])],
                    "OrganizationalUnits")
    raise SimError("InvalidInputException", f"the simulator does not implement {action}")


# ------------------------------------------------------------------- server

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle's algorithm
    # and delayed ACKs add 40 ms to every call.
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def reply(self, status, body, ctype):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        sim = self.server.sim
        with sim.lock:
            sim.advance(sim.now())
            if self.path.startswith("/_sim/stats"):
                out = {"now": sim.now(), "elapsed": sim.now() - sim.stats_t0, "calls": sim.calls,
                       "throttled": sim.throttled, "by_action": sim.by_action}
            elif self.path.startswith("/_sim/floor"):
                # ?after=B:A,C:A — B and C follow A
                q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                after = [tuple(x.split(":", 1)) for x in ",".join(q.get("after", [])).split(",") if ":" in x]
                out = {"floor": sim.floor(after), "instances": len(sim.work)}
            elif self.path.startswith("/_sim/org"):
                out = {"management": MANAGEMENT, "root": ROOT, "workloads": WORKLOADS, "ous": sim.ous[WORKLOADS],
                       "accounts": {a: s for a, s in sim.accounts.items() if a != MANAGEMENT}}
            else:
                out = {"ok": True}
        self.reply(200, json.dumps(out), "application/json")

    def do_POST(self):
        sim = self.server.sim
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode() if n else ""
        if self.path.startswith("/_sim/"):
            with sim.lock:
                body = json.loads(raw or "{}")
                if self.path.startswith("/_sim/reset"):
                    sim.advance(sim.now())
                    sim.reset()
                    out = {"now": sim.now()}
                elif self.path.startswith("/_sim/move-account"):
                    out = {"operations": sim.move_account(body["account"], body["ou"])}
                else:
                    out = {"error": "unknown"}
            return self.reply(200, json.dumps(out), "application/json")
        m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", self.headers.get("Authorization", ""))
        service = m.group(1) if m else "?"
        target = self.headers.get("X-Amz-Target")
        if target:
            action, q = target.split(".")[-1], json.loads(raw or "{}")
        elif service == "account":
            op = self.path.strip("/").split("?")[0]
            action, q = op[:1].upper() + op[1:], json.loads(raw or "{}")
        else:
            q = {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}
            action = q.get("Action", "?")
        with sim.lock:
            now = sim.now()
            sim.advance(now)
            sim.calls += 1
            key = f"{service}:{action}"
            sim.by_action[key] = sim.by_action.get(key, 0) + 1
            bucket = sim.buckets.get(service)
            throttled = bucket is not None and not bucket.take(now)
            if throttled:
                sim.throttled += 1
            try:
                if throttled:
                    if service == "organizations":
                        raise SimError("TooManyRequestsException", "You have sent too many requests in too short a period of time.")
                    raise SimError("Throttling", "Rate exceeded")
                return self.answer(sim, service, action, q)
            except SimError as e:
                return self.error(service, e)

    def answer(self, sim, service, action, q):
        if service == "sts":
            if action != "GetCallerIdentity":
                raise SimError("InvalidAction", f"the simulator does not implement {action}")
            body = (f"<GetCallerIdentityResult><Arn>arn:aws:iam::{MANAGEMENT}:user/sim</Arn><UserId>AIDASIM</UserId>"
                    f"<Account>{MANAGEMENT}</Account></GetCallerIdentityResult>")
            return self.reply(200, f'<GetCallerIdentityResponse xmlns="{STS_NS}">{body}'
                                   f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
                                   f"</GetCallerIdentityResponse>", "text/xml")
        if service == "organizations":
            return self.reply(200, json.dumps(org(sim, action, q)), "application/x-amz-json-1.1")
        if service == "account":
            if action == "ListRegions":
                return self.reply(200, json.dumps({"Regions": [{"RegionName": r, "RegionOptStatus": "ENABLED_BY_DEFAULT"}
                                                               for r in REGIONS_BY_DEFAULT]}), "application/json")
            raise SimError("ValidationException", f"the simulator does not implement {action}")
        if service == "cloudformation":
            inner = cfn(sim, action, q)
            return self.reply(200, f'<{action}Response xmlns="{CFN_NS}"><{action}Result>{inner}</{action}Result>'
                                   f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
                                   f"</{action}Response>", "text/xml")
        raise SimError("InvalidAction", f"the simulator does not implement {service}")

    def error(self, service, e):
        if service in ("organizations", "account"):
            body = json.dumps({"__type": e.code, "Message": e.message, "message": e.message})
            return self.reply(e.status, body, "application/x-amz-json-1.1")
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{e.code}</Code><Message>{escape(e.message)}</Message>"
                f"</Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>")
        return self.reply(e.status, body, "text/xml")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--ms-per-second", type=float, default=10.0, help="real milliseconds per simulated second")
    p.add_argument("--accounts", type=int, default=1000)
    p.add_argument("--ous", type=int, default=4)
    p.add_argument("--suspended", type=int, default=0)
    p.add_argument("--closing", type=int, default=0)
    p.add_argument("--duration-median", type=float, default=45.0)
    p.add_argument("--duration-sigma", type=float, default=0.35)
    p.add_argument("--duration-fixed", type=float, default=None)
    p.add_argument("--fail", default="", help="account:region pairs whose instance operations fail")
    p.add_argument("--region-cap", type=int, default=3500)
    p.add_argument("--cfn-rate", type=float, default=10.0)
    p.add_argument("--cfn-burst", type=float, default=20.0)
    p.add_argument("--org-rate", type=float, default=4.0)
    p.add_argument("--org-burst", type=float, default=8.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-seconds", type=float, default=1800)
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.sim = Sim(args)
    parent = os.getppid()

    def watchdog():
        start = time.time()
        while time.time() - start < args.max_seconds and os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)
    threading.Thread(target=watchdog, daemon=True).start()
    print(f"READY {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
