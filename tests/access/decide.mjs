// Decides a batch of IAM requests with @cloud-copilot/iam-simulate, the
// independent evaluator of the operator access proof
// (tests/access_operators.rs). Same protocol as the other access proof's
// simulate.mjs, so either harness can drive either script:
//
// stdin:  {"policies": {"<id>": <policy document>, …},
//          "requests": [{"principal", "action", "resource", "resource_account",
//                        "context": {key: value}, "identity": ["<id>", …],
//                        "resource_policy": "<id>" | null}, …]}
// stdout: [{"decision": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied" | null,
//           "ignored": [context keys the evaluator dropped as not applicable],
//           "error": null | {…}}, …]   (one answer per request, in order)
//
// Every request goes through runSimulation, which validates the action, the
// resource ARN against the action's resource types, the context keys and
// their types, and the policies' grammar. A validation error is returned,
// never guessed around; the Rust side fails on it.
import { runSimulation } from '@cloud-copilot/iam-simulate'

async function decide(request, policies) {
  const doc = (id) => {
    if (!(id in policies)) throw new Error(`unknown policy id ${id}`)
    return policies[id]
  }
  const answer = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resource_account },
        contextVariables: request.context
      },
      identityPolicies: request.identity.map((id) => ({ name: id, policy: doc(id) })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resource_policy ? doc(request.resource_policy) : undefined
    },
    {}
  )
  if (answer.resultType === 'error') {
    return { decision: null, ignored: [], error: answer.errors }
  }
  const result = answer.resultType === 'single' ? answer.result : answer.results[0]
  return { decision: answer.overallResult, ignored: result?.ignoredContextKeys ?? [], error: null }
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
      answers.push({ decision: null, ignored: [], error: { message: String(e?.stack ?? e) } })
    }
  }
  process.stdout.write(JSON.stringify(answers))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
