// Decides a batch of requests under service control policies with
// @cloud-copilot/iam-simulate — the independent evaluator of the SCP proof
// (tests/scp.rs); it shares the access proof's pinned install.
//
// stdin:  {"scps": {"<id>": <policy document>, …},
//          "requests": [{"scp": "<id>", "principal", "action", "resource",
//                        "resource_account", "context": {key: value}}, …]}
// stdout: [{"decision": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied",
//           "denied_by": ["<Sid>", …], "error": null | …}, …]  (in order)
//
// Every principal is an administrator (`*` on `*` in its identity policy):
// what it may not do, the SCP forbids. The SCP sits next to AWS's default
// FullAWSAccess on the principal's OU, as it does once attached. Each request
// is validated by runSimulation (action, resource ARN against the action's
// resource types, context keys and their types, policy grammar); a
// validation error is returned, never guessed around.
import { runSimulation } from '@cloud-copilot/iam-simulate'

const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }
const FULL_AWS_ACCESS = ADMIN

async function decide(request, scps) {
  const scp = scps[request.scp]
  if (!scp) throw new Error(`unknown SCP ${request.scp}`)
  const simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resource_account },
      contextVariables: request.context
    },
    identityPolicies: [{ name: 'AdministratorAccess', policy: ADMIN }],
    serviceControlPolicies: [
      {
        orgIdentifier: 'ou-ab12-cd34ef56',
        policies: [
          { name: 'FullAWSAccess', policy: FULL_AWS_ACCESS },
          { name: 'sessionlog', policy: scp }
        ]
      }
    ],
    resourceControlPolicies: [],
    resourcePolicy: undefined
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
const { scps, requests } = JSON.parse(input)
const out = []
for (const r of requests) out.push(await decide(r, scps))
process.stdout.write(JSON.stringify(out))
