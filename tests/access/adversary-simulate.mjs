// Decides a batch of requests for the adversary suite (tests/adversary.rs)
// with @cloud-copilot/iam-simulate — the access proof's pinned evaluator.
//
// stdin:  {"policies": {"<id>": <policy document>, …},
//          "requests": [{"principal", "action", "resource", "resource_account",
//                        "context": {key: value}, "identity": ["<id>", …],
//                        "scps": ["<id>", …], "resource_policy": "<id>" | null}, …]}
// stdout: [{"decision": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied",
//           "denied_by": ["<Sid>", …], "error": null | …}, …]  (in order)
//
// The SCPs sit next to AWS's default FullAWSAccess on the principal's OU (or
// account), as they do once attached; no SCP applies when the list is empty
// (the management account, an account of another organization). Each
// request is validated by runSimulation (action, resource ARN against the
// action's resource types, context keys and their types, policy grammar); a
// validation error is returned, never guessed around.
import { runSimulation } from '@cloud-copilot/iam-simulate'

const FULL_AWS_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }

async function decide(request, policies) {
  const get = (id) => {
    const p = policies[id]
    if (!p) throw new Error(`unknown policy ${id}`)
    return p
  }
  const scps = request.scps.map((id, i) => ({ name: `scp${i}`, policy: get(id) }))
  const simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resource_account },
      contextVariables: request.context
    },
    identityPolicies: request.identity.map((id, i) => ({ name: `identity${i}`, policy: get(id) })),
    serviceControlPolicies: scps.length === 0 ? [] : [
      { orgIdentifier: 'ou-ab12-cd34ef56', policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }, ...scps] }
    ],
    resourceControlPolicies: [],
    resourcePolicy: request.resource_policy ? get(request.resource_policy) : undefined
  }
  const answer = await runSimulation(simulation, {})
  if (answer.resultType === 'error') {
    return { decision: null, denied_by: [], error: answer.errors }
  }
  const result = answer.resultType === 'single' ? answer.result : answer.results[0]
  const deniedBy = []
  for (const level of result?.analysis?.scpAnalysis?.ouAnalysis ?? []) {
    for (const s of level.denyStatements ?? []) deniedBy.push(s.statement.sid() ?? `[${s.statement.index()}]`)
  }
  return { decision: answer.overallResult, denied_by: deniedBy, error: null }
}

let input = ''
for await (const chunk of process.stdin) input += chunk
const { policies, requests } = JSON.parse(input)
const out = []
for (const r of requests) out.push(await decide(r, policies))
process.stdout.write(JSON.stringify(out))
