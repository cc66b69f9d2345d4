// Decides a batch of IAM requests with @cloud-copilot/iam-simulate — the
// independent evaluator of the access proof (tests/access.rs).
//
// stdin:  {"policies": {"<id>": <policy document>, …},
//          "requests": [{"principal", "action", "resource", "resource_account",
//                        "context": {key: value}, "identity": ["<id>", …],
//                        "resource_policy": "<id>" | null,
//                        "scps": ["<id>", …]}, …]}
//         (scps: the service control policies on the principal's OU, next
//         to AWS's default FullAWSAccess there and at the root; none: the
//         principal is in no OU an SCP restricts — a service, the
//         management account)
// stdout: [{"decision": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied",
//           "decisive": ["<policy id>#<Sid>", …],
//           "ignored": [context keys the action does not take],
//           "unvalidated": [context keys evaluated without validation],
//           "error": null | {…}}, …]   (one answer per request, in order)
//
// One process per batch: loading the evaluator's data costs far more than a
// decision. Every request is validated by runSimulation (actions, resource
// ARNs against the action's resource types, context keys and their types,
// policy grammar); a validation error is returned, never guessed around.
//
// Two gaps of the evaluator (0.1.173), handled here and reported per answer:
// - it matches variable context keys only when the variable follows a `/`
//   (`aws:PrincipalTag/…`), so `kms:EncryptionContext:<key>` is dropped from
//   the request as "not applicable" and every condition on it fails;
// - its escape hatch, runUnsafeSimulation, crashes on any resource policy
//   (it loads the policy without a name).
// So a request whose only dropped keys are `kms:EncryptionContext:*` — after
// runSimulation validated everything else — is decided a second time by the
// evaluator's own engine (`authorize`, what runSimulation calls) with the full
// context, the way runUnsafeSimulation would. Its answer lists those keys as
// `unvalidated`.
import { loadPolicy } from '@cloud-copilot/iam-policy'
import { isWildcardOnlyAction, runSimulation } from '@cloud-copilot/iam-simulate'
import { authorize } from './node_modules/@cloud-copilot/iam-simulate/dist/esm/core_engine/CoreSimulatorEngine.js'
import { AwsRequestImpl } from './node_modules/@cloud-copilot/iam-simulate/dist/esm/request/request.js'
import { RequestContextImpl } from './node_modules/@cloud-copilot/iam-simulate/dist/esm/requestContext.js'
import { DiscoveryContextKeyConstraints } from './node_modules/@cloud-copilot/iam-simulate/dist/esm/context_keys/discoveryContextKeyConstraints.js'

const COLON_VARIABLE_KEYS = [/^kms:encryptioncontext:.+/i]

// AWS's default SCP, attached to every root and OU.
const FULL_AWS_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }

function controlPolicies(request, doc) {
  const scps = request.scps ?? []
  if (scps.length === 0) return []
  return [
    { orgIdentifier: 'r-root', policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }] },
    {
      orgIdentifier: 'ou-targets',
      policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }, ...scps.map((id) => ({ name: id, policy: doc(id) }))]
    }
  ]
}

function statementId(policyId, analysis) {
  const sid = analysis.statement.sid()
  return `${policyId}#${sid ?? `[${analysis.statement.index()}]`}`
}

function decisive(request, result) {
  const analysis = result.analysis
  const out = []
  const want = analysis.result === 'Allowed' ? 'allowStatements' : 'denyStatements'
  if (analysis.result === 'ImplicitlyDenied') return out
  for (const s of analysis.identityAnalysis?.[want] ?? []) out.push(statementId(s.policyId, s))
  for (const s of analysis.resourceAnalysis?.[want] ?? []) out.push(statementId(request.resource_policy, s))
  if (analysis.result === 'ExplicitlyDenied') {
    for (const level of analysis.scpAnalysis?.ouAnalysis ?? []) {
      for (const s of level.denyStatements ?? []) out.push(statementId(`scp:${level.orgIdentifier}`, s))
    }
  }
  return out
}

async function authorizeWithFullContext(request, simulation) {
  const [service, action] = request.action.split(':')
  const wildcardOnly = await isWildcardOnlyAction(service, action)
  return authorize({
    request: new AwsRequestImpl(
      request.principal,
      { resource: request.resource, accountId: request.resource_account },
      request.action,
      new RequestContextImpl(request.context),
      wildcardOnly
    ),
    sessionPolicy: undefined,
    identityPolicies: simulation.identityPolicies.map((p) => loadPolicy(p.policy, { name: p.name })),
    serviceControlPolicies: simulation.serviceControlPolicies.map((level) => ({
      orgIdentifier: level.orgIdentifier,
      policies: level.policies.map((p) => loadPolicy(p.policy, { name: p.name }))
    })),
    resourceControlPolicies: [],
    resourcePolicy: simulation.resourcePolicy
      ? loadPolicy(simulation.resourcePolicy, { name: request.resource_policy })
      : undefined,
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: {
      simulationMode: 'Strict',
      discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([])
    },
    serviceSettings: { s3: { blockPublicAccess: undefined } }
  })
}

async function decide(request, policies) {
  const doc = (id) => {
    if (!(id in policies)) throw new Error(`unknown policy id ${id}`)
    return policies[id]
  }
  const simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resource_account },
      contextVariables: request.context
    },
    identityPolicies: request.identity.map((id) => ({ name: id, policy: doc(id) })),
    serviceControlPolicies: controlPolicies(request, doc),
    resourceControlPolicies: [],
    resourcePolicy: request.resource_policy ? doc(request.resource_policy) : undefined
  }
  const answer = await runSimulation(simulation, {})
  if (answer.resultType === 'error') {
    return { decision: null, decisive: [], ignored: [], unvalidated: [], error: answer.errors }
  }
  const result = answer.resultType === 'single' ? answer.result : answer.results[0]
  const ignored = result?.ignoredContextKeys ?? []
  const unvalidated = ignored.filter((k) => COLON_VARIABLE_KEYS.some((re) => re.test(k)))
  const reallyIgnored = ignored.filter((k) => !unvalidated.includes(k))
  if (unvalidated.length > 0) {
    const analysis = await authorizeWithFullContext(request, simulation)
    return {
      decision: analysis.result,
      decisive: decisive(request, { analysis }),
      ignored: reallyIgnored,
      unvalidated,
      error: null
    }
  }
  return {
    decision: answer.overallResult,
    decisive: result ? decisive(request, result) : [],
    ignored: reallyIgnored,
    unvalidated: [],
    error: null
  }
}

async function main() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  const batch = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  const answers = []
  for (const request of batch.requests) {
    try {
      answers.push(await decide(request, batch.policies))
    } catch (e) {
      answers.push({ decision: null, decisive: [], ignored: [], unvalidated: [], error: { message: String(e?.stack ?? e) } })
    }
  }
  process.stdout.write(JSON.stringify(answers))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
