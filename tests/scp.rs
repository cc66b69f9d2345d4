//! The service control policy, as sessionlog renders it, decided by an
//! independent IAM evaluator (`@cloud-copilot/iam-simulate` 0.1.173, pinned
//! in tests/access/package-lock.json, the access proof's, installed by scripts/test-setup.sh):
//! every principal is an administrator of a member account, so what it
//! cannot do, the SCP forbids.
//!
//! - A member administrator cannot change the preferences document, its
//!   default version, the log group, the trail, the instance policy,
//!   sessionlog's roles, the RDP recording preferences or the watch.
//! - The StackSet execution role, sessionlog's own roles, the break-glass
//!   roles and the excluded accounts can; unrelated documents, log groups,
//!   trails, policies and functions are unaffected; instances still log.
//! - Non-vacuity: without any one of its statements, or without its
//!   exemptions, some scenario decides otherwise.

mod common;
#[path = "guardrails/matrix.rs"]
mod matrix;

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use common::*;
use serde_json::{json, Value};
use sessionlog::config::{load, Config, Source};
use sessionlog::stacks::guardrails::scp;

const MEMBER: &str = "333333333333";
const EXCLUDED: &str = "444444444444";
const REGION: &str = "eu-west-1";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    /// Denied by the SCP statement with this Sid.
    Denied(&'static str),
    Allowed,
}
use Expect::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Variant {
    /// The example: organization trail, guard, watch, SCP.
    Example,
    /// Break-glass roles, the instance policy attached to roles, an excluded
    /// account, per-account trails guarded in the member accounts.
    Wide,
}

struct Scenario {
    name: &'static str,
    variant: Variant,
    /// Role path and name in the member account (or `EXCLUDED:role`).
    who: &'static str,
    action: &'static str,
    /// Resource ARN, `{a}` = the member account, `{r}` = its region.
    resource: &'static str,
    context: &'static [(&'static str, &'static str)],
    expect: Expect,
    /// Allowed only because the principal is exempt (checked by removing the exemptions).
    exempt: bool,
}

const DOC: &str = "arn:aws:ssm:{r}:{a}:document/SSM-SessionManagerRunShell";
const GROUP: &str = "arn:aws:logs:{r}:{a}:log-group:/sessionlog/session-manager";
const STREAM: &str =
    "arn:aws:logs:{r}:{a}:log-group:/sessionlog/session-manager:log-stream:i-0abc-session";
const TRAIL: &str = "arn:aws:cloudtrail:us-east-1:111111111111:trail/sessionlog-organization";
const POLICY: &str = "arn:aws:iam::{a}:policy/sessionlog-session-logging";
const FUNCTION: &str =
    "arn:aws:lambda:{r}:{a}:function:StackSet-sessionlog-member-SessionPreferencesFunct-AbC123";
const RULE: &str =
    "arn:aws:events:{r}:{a}:rule/StackSet-sessionlog-member-PreferencesWatchRule-AbC123";
const WATCHED: &[(&str, &str)] = &[(
    "aws:ResourceTag/sessionlog:component",
    "session-preferences",
)];
const ADMIN: &str = "Admin";
const EXEC: &str = "AWSCloudFormationStackSetExecutionRole";
const OWN: &str = "sessionlog/StackSet-sessionlog-member-regi-SessionPreferencesFunctio-1A2B3C";

fn s(
    name: &'static str,
    who: &'static str,
    action: &'static str,
    resource: &'static str,
    expect: Expect,
) -> Scenario {
    Scenario {
        name,
        variant: Variant::Example,
        who,
        action,
        resource,
        context: &[],
        expect,
        exempt: false,
    }
}

fn scenarios() -> Vec<Scenario> {
    let mut v = vec![
        // The member administrator: nothing that turns logging off.
        s(
            "admin edits the preferences document",
            ADMIN,
            "ssm:UpdateDocument",
            DOC,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin changes its default version",
            ADMIN,
            "ssm:UpdateDocumentDefaultVersion",
            DOC,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin deletes the preferences document",
            ADMIN,
            "ssm:DeleteDocument",
            DOC,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin deletes the session log group",
            ADMIN,
            "logs:DeleteLogGroup",
            GROUP,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin shortens its retention",
            ADMIN,
            "logs:PutRetentionPolicy",
            GROUP,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin removes its retention",
            ADMIN,
            "logs:DeleteRetentionPolicy",
            GROUP,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin disassociates its KMS key",
            ADMIN,
            "logs:DisassociateKmsKey",
            GROUP,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin replaces its subscription filter",
            ADMIN,
            "logs:PutSubscriptionFilter",
            GROUP,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin deletes its subscription filter",
            ADMIN,
            "logs:DeleteSubscriptionFilter",
            GROUP,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin deletes a session's log stream",
            ADMIN,
            "logs:DeleteLogStream",
            STREAM,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin stops the trail",
            ADMIN,
            "cloudtrail:StopLogging",
            TRAIL,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin deletes the trail",
            ADMIN,
            "cloudtrail:DeleteTrail",
            TRAIL,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin weakens the trail",
            ADMIN,
            "cloudtrail:UpdateTrail",
            TRAIL,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin drops management events",
            ADMIN,
            "cloudtrail:PutEventSelectors",
            TRAIL,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin rewrites the instance policy",
            ADMIN,
            "iam:CreatePolicyVersion",
            POLICY,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin switches the instance policy's version",
            ADMIN,
            "iam:SetDefaultPolicyVersion",
            POLICY,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin deletes the instance policy",
            ADMIN,
            "iam:DeletePolicy",
            POLICY,
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin creates a role under sessionlog's path",
            ADMIN,
            "iam:CreateRole",
            "arn:aws:iam::{a}:role/sessionlog/escape",
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin widens the function's role",
            ADMIN,
            "iam:PutRolePolicy",
            "arn:aws:iam::{a}:role/sessionlog/StackSet-x",
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin passes sessionlog's role to a function of its own",
            ADMIN,
            "iam:PassRole",
            "arn:aws:iam::{a}:role/sessionlog/StackSet-x",
            Denied("ProtectSessionLogging"),
        ),
        s(
            "admin changes RDP recording",
            ADMIN,
            "ssm-guiconnect:UpdateConnectionRecordingPreferences",
            "*",
            Denied("ProtectRdpRecording"),
        ),
        s(
            "admin deletes RDP recording",
            ADMIN,
            "ssm-guiconnect:DeleteConnectionRecordingPreferences",
            "*",
            Denied("ProtectRdpRecording"),
        ),
        Scenario {
            context: WATCHED,
            ..s(
                "admin replaces the watch function's code",
                ADMIN,
                "lambda:UpdateFunctionCode",
                FUNCTION,
                Denied("ProtectPreferencesWatch"),
            )
        },
        Scenario {
            context: WATCHED,
            ..s(
                "admin throttles the watch function to zero",
                ADMIN,
                "lambda:PutFunctionConcurrency",
                FUNCTION,
                Denied("ProtectPreferencesWatch"),
            )
        },
        Scenario {
            context: WATCHED,
            ..s(
                "admin untags the watch function",
                ADMIN,
                "lambda:UntagResource",
                FUNCTION,
                Denied("ProtectPreferencesWatch"),
            )
        },
        Scenario {
            context: WATCHED,
            ..s(
                "admin disables the watch rule",
                ADMIN,
                "events:DisableRule",
                RULE,
                Denied("ProtectPreferencesWatch"),
            )
        },
        Scenario {
            context: WATCHED,
            ..s(
                "admin removes the watch rule's target",
                ADMIN,
                "events:RemoveTargets",
                RULE,
                Denied("ProtectPreferencesWatch"),
            )
        },
        // Unrelated resources are unaffected; logging itself works.
        s(
            "admin edits an unrelated document",
            ADMIN,
            "ssm:UpdateDocument",
            "arn:aws:ssm:{r}:{a}:document/TeamRunbook",
            Allowed,
        ),
        s(
            "admin sets an unrelated document's default version",
            ADMIN,
            "ssm:UpdateDocumentDefaultVersion",
            "arn:aws:ssm:{r}:{a}:document/TeamRunbook",
            Allowed,
        ),
        s(
            "admin deletes an unrelated log group",
            ADMIN,
            "logs:DeleteLogGroup",
            "arn:aws:logs:{r}:{a}:log-group:/app/web",
            Allowed,
        ),
        s(
            "admin stops an unrelated trail",
            ADMIN,
            "cloudtrail:StopLogging",
            "arn:aws:cloudtrail:{r}:{a}:trail/team-trail",
            Allowed,
        ),
        s(
            "admin edits an unrelated policy",
            ADMIN,
            "iam:CreatePolicyVersion",
            "arn:aws:iam::{a}:policy/team-policy",
            Allowed,
        ),
        s(
            "admin updates an unrelated function",
            ADMIN,
            "lambda:UpdateFunctionCode",
            "arn:aws:lambda:{r}:{a}:function:team",
            Allowed,
        ),
        s(
            "admin creates an ordinary role",
            ADMIN,
            "iam:CreateRole",
            "arn:aws:iam::{a}:role/team-role",
            Allowed,
        ),
        s(
            "an instance writes its session log",
            "EC2SessionRole",
            "logs:PutLogEvents",
            STREAM,
            Allowed,
        ),
        s(
            "an instance opens its session stream",
            "EC2SessionRole",
            "logs:CreateLogStream",
            STREAM,
            Allowed,
        ),
        s(
            "admin reads the preferences",
            ADMIN,
            "ssm:GetDocument",
            DOC,
            Allowed,
        ),
        // Exempt principals.
        Scenario {
            exempt: true,
            ..s(
                "the StackSet execution role updates the document",
                EXEC,
                "ssm:UpdateDocument",
                DOC,
                Allowed,
            )
        },
        Scenario {
            exempt: true,
            ..s(
                "the StackSet execution role replaces the log group's retention",
                EXEC,
                "logs:PutRetentionPolicy",
                GROUP,
                Allowed,
            )
        },
        Scenario {
            exempt: true,
            ..s(
                "the StackSet execution role updates the instance policy",
                EXEC,
                "iam:CreatePolicyVersion",
                POLICY,
                Allowed,
            )
        },
        Scenario {
            exempt: true,
            ..s(
                "sessionlog's function restores the default version",
                OWN,
                "ssm:UpdateDocumentDefaultVersion",
                DOC,
                Allowed,
            )
        },
        Scenario {
            exempt: true,
            ..s(
                "sessionlog's function restores RDP recording",
                OWN,
                "ssm-guiconnect:UpdateConnectionRecordingPreferences",
                "*",
                Allowed,
            )
        },
    ];
    let wide = |x: Scenario| Scenario {
        variant: Variant::Wide,
        ..x
    };
    v.extend([
        wide(Scenario {
            exempt: true,
            ..s(
                "a break-glass role edits the document",
                "BreakGlassAdmin",
                "ssm:UpdateDocument",
                DOC,
                Allowed,
            )
        }),
        wide(Scenario {
            exempt: true,
            ..s(
                "a break-glass role by path pattern stops the trail",
                "emergency/oncall",
                "cloudtrail:StopLogging",
                "arn:aws:cloudtrail:eu-west-1:{a}:trail/account-trail",
                Allowed,
            )
        }),
        wide(s(
            "a role merely named like a break-glass role is not one",
            "BreakGlassAdminX",
            "ssm:UpdateDocument",
            DOC,
            Denied("ProtectSessionLogging"),
        )),
        wide(Scenario {
            exempt: true,
            ..s(
                "the guard's role turns the account trail back on",
                "sessionlog/StackSet-guard-CloudTrailGuardRole-1A2B",
                "cloudtrail:UpdateTrail",
                "arn:aws:cloudtrail:eu-west-1:{a}:trail/account-trail",
                Allowed,
            )
        }),
        wide(s(
            "admin stops the account's own trail",
            ADMIN,
            "cloudtrail:StopLogging",
            "arn:aws:cloudtrail:eu-west-1:{a}:trail/account-trail",
            Denied("ProtectSessionLogging"),
        )),
        wide(s(
            "admin edits the guard's runbook",
            ADMIN,
            "ssm:UpdateDocument",
            "arn:aws:ssm:eu-west-1:{a}:document/sessionlog-CloudTrailGuard-0123abcd",
            Denied("ProtectSessionLogging"),
        )),
        wide(Scenario {
            context: &[(
                "iam:PolicyARN",
                "arn:aws:iam::333333333333:policy/sessionlog-session-logging",
            )],
            ..s(
                "admin detaches the instance policy from the instances' role",
                ADMIN,
                "iam:DetachRolePolicy",
                "arn:aws:iam::{a}:role/EC2SessionRole",
                Denied("KeepInstancePolicyAttached"),
            )
        }),
        wide(Scenario {
            context: &[(
                "iam:PolicyARN",
                "arn:aws:iam::333333333333:policy/team-policy",
            )],
            ..s(
                "admin detaches an unrelated policy",
                ADMIN,
                "iam:DetachRolePolicy",
                "arn:aws:iam::{a}:role/EC2SessionRole",
                Allowed,
            )
        }),
        wide(Scenario {
            exempt: true,
            ..s(
                "an excluded account's admin edits its own document",
                "EXCLUDED:Admin",
                "ssm:UpdateDocument",
                DOC,
                Allowed,
            )
        }),
        wide(s(
            "admin changes RDP recording",
            ADMIN,
            "ssm-guiconnect:UpdateConnectionRecordingPreferences",
            "*",
            Denied("ProtectRdpRecording"),
        )),
        wide(Scenario {
            context: WATCHED,
            ..s(
                "admin deletes the watch function",
                ADMIN,
                "lambda:DeleteFunction",
                FUNCTION,
                Denied("ProtectPreferencesWatch"),
            )
        }),
    ]);
    v
}

fn config(variant: Variant) -> Config {
    let text = match variant {
        Variant::Example => example().to_string(),
        Variant::Wide => matrix::with_guardrails(
            "guardrails:\n  region: eu-west-1\n  cloudtrail:\n    mode: existing\n    trail: account-trail\n    owner: members\n    bucket: my-trail-bucket\n    kms_key_arn: arn:aws:kms:eu-west-1:333333333333:key/mrk-0123456789abcdef0123456789abcdef\n  config_guard: true\n  preferences_watch: true\n  scp:\n    enabled: true\n    break_glass_roles: [BreakGlassAdmin, emergency/*]\n",
            &[("exclude_accounts: []", "exclude_accounts: [\"444444444444\"]"), ("attach_to_roles: []", "attach_to_roles: [EC2SessionRole]")],
        ),
    };
    load(&Source {
        name: format!("{variant:?}"),
        text,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn principal(who: &str) -> (String, String) {
    match who.strip_prefix("EXCLUDED:") {
        Some(role) => (
            format!("arn:aws:iam::{EXCLUDED}:role/{role}"),
            EXCLUDED.to_string(),
        ),
        None => (
            format!("arn:aws:iam::{MEMBER}:role/{who}"),
            MEMBER.to_string(),
        ),
    }
}

fn request(scp_id: &str, sc: &Scenario) -> Value {
    let (arn, account) = principal(sc.who);
    let mut context = serde_json::Map::new();
    context.insert("aws:PrincipalArn".into(), json!(arn));
    context.insert("aws:PrincipalAccount".into(), json!(account));
    for (k, v) in sc.context {
        context.insert((*k).into(), json!(v));
    }
    let resource = sc.resource.replace("{a}", &account).replace("{r}", REGION);
    let resource_account = resource
        .split(':')
        .nth(4)
        .filter(|a| !a.is_empty())
        .unwrap_or(&account)
        .to_string();
    json!({"scp": scp_id, "principal": arn, "action": sc.action, "resource": resource,
           "resource_account": if resource == "*" { account.clone() } else { resource_account }, "context": context})
}

#[derive(Debug, Clone, serde::Deserialize)]
struct Answer {
    decision: Option<String>,
    denied_by: Vec<String>,
    error: Option<Value>,
}

fn evaluate(scps: &BTreeMap<String, Value>, requests: &[Value]) -> Vec<Answer> {
    let dir = repo_root().join("tests/access");
    assert!(
        dir.join("node_modules/@cloud-copilot/iam-simulate")
            .exists(),
        "the evaluator is not installed: run `make setup` (npm ci in tests/access)"
    );
    let mut child = Command::new("node")
        .arg("scp-simulate.mjs")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let input = json!({"scps": scps, "requests": requests}).to_string();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The SCP as Organizations receives it (partition resolved).
fn rendered(c: &Config) -> Value {
    serde_json::from_str(&scp::resolved_text(c)).unwrap()
}

fn without_statement(doc: &Value, sid: &str) -> Value {
    let mut d = doc.clone();
    d["Statement"]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["Sid"] != sid);
    d
}

fn without_exemptions(doc: &Value) -> Value {
    let mut d = doc.clone();
    for s in d["Statement"].as_array_mut().unwrap() {
        s["Condition"].as_object_mut().unwrap().remove("ArnNotLike");
        s["Condition"]
            .as_object_mut()
            .unwrap()
            .remove("StringNotEquals");
        if s["Condition"].as_object().unwrap().is_empty() {
            s.as_object_mut().unwrap().remove("Condition");
        }
    }
    d
}

#[test]
fn the_scp_denies_turning_logging_off_and_nothing_else_and_every_statement_is_needed() {
    let all = scenarios();
    assert!(all.len() >= 45);
    let mut scps = BTreeMap::new();
    let mut requests = Vec::new();
    // (scenario index, SCP id) of each request.
    let mut asked: Vec<(usize, String)> = Vec::new();
    for variant in [Variant::Example, Variant::Wide] {
        let c = config(variant);
        assert!(scp::size(&c) <= scp::MAX_SIZE);
        let doc = rendered(&c);
        let base = format!("{variant:?}");
        let mut ids = vec![(base.clone(), doc.clone())];
        for st in doc["Statement"].as_array().unwrap() {
            let sid = st["Sid"].as_str().unwrap();
            ids.push((
                format!("{base} without {sid}"),
                without_statement(&doc, sid),
            ));
        }
        ids.push((
            format!("{base} without exemptions"),
            without_exemptions(&doc),
        ));
        for (id, d) in ids {
            for (i, sc) in all
                .iter()
                .enumerate()
                .filter(|(_, sc)| sc.variant == variant)
            {
                requests.push(request(&id, sc));
                asked.push((i, id.clone()));
            }
            scps.insert(id, d);
        }
    }
    let answers = evaluate(&scps, &requests);
    assert_eq!(answers.len(), requests.len());
    let mut decided: BTreeMap<(usize, String), Answer> = BTreeMap::new();
    for ((i, id), a) in asked.into_iter().zip(answers) {
        if let Some(e) = &a.error {
            panic!("the evaluator refused `{}` under {id}: {e}", all[i].name);
        }
        decided.insert((i, id), a);
    }
    let mut failures = Vec::new();
    for (i, sc) in all.iter().enumerate() {
        let base = format!("{:?}", sc.variant);
        let a = &decided[&(i, base.clone())];
        let ok = match sc.expect {
            Denied(sid) => {
                a.decision.as_deref() == Some("ExplicitlyDenied") && a.denied_by == [sid]
            }
            Allowed => a.decision.as_deref() == Some("Allowed"),
        };
        if !ok {
            failures.push(format!(
                "{}: expected {:?}, got {:?} (denied by {:?})",
                sc.name, sc.expect, a.decision, a.denied_by
            ));
        }
        if sc.exempt {
            let without = &decided[&(i, format!("{base} without exemptions"))];
            if without.decision.as_deref() != Some("ExplicitlyDenied") {
                failures.push(format!(
                    "{}: allowed even without the exemptions, so it proves nothing about them",
                    sc.name
                ));
            }
        }
    }
    // Non-vacuity: every statement of each variant's SCP is what denies some scenario.
    for variant in [Variant::Example, Variant::Wide] {
        let base = format!("{variant:?}");
        for st in scps[&base]["Statement"].as_array().unwrap() {
            let sid = st["Sid"].as_str().unwrap();
            let flipped = all
                .iter()
                .enumerate()
                .filter(|(_, sc)| sc.variant == variant && sc.expect == Denied(sid_static(sid)))
                .any(|(i, _)| {
                    decided[&(i, format!("{base} without {sid}"))]
                        .decision
                        .as_deref()
                        == Some("Allowed")
                });
            if !flipped {
                failures.push(format!(
                    "{base}: removing statement {sid} changes no decision: no scenario covers it"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn sid_static(sid: &str) -> &'static str {
    [
        "ProtectSessionLogging",
        "ProtectRdpRecording",
        "KeepInstancePolicyAttached",
        "ProtectPreferencesWatch",
    ]
    .into_iter()
    .find(|s| *s == sid)
    .unwrap_or_else(|| panic!("a statement no scenario names: {sid}"))
}
