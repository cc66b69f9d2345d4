//! What the deployed stacks need that sessionlog does not deploy, checked
//! by `plan` and `deploy` — in the management account with the caller's
//! credentials, in each member account through `log_archive.access_role` —
//! and said plainly (with what to do) where they cannot be. A failed check warns:
//! the stacks deploy either way, and the requirement can be met later.

use crate::bundle::Requirement;

use super::engine::Engine;
use super::report::Event;
use super::Rollout;

fn turn_on(region: &str) -> String {
    format!(
        "turn AWS Config on there (console: AWS Config > Get started; or `aws configservice put-configuration-recorder` and `aws configservice start-configuration-recorder --region {region}` with a delivery channel), or centrally (AWS Control Tower, or an AWS Config StackSet)"
    )
}

/// What one account's AWS Config recorder is doing in a region.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Recording {
    On,
    NoRecorder,
    /// Stopped; the recorder's name.
    Stopped(String),
    /// Could not be read; why.
    Unknown(String),
}

async fn recording(client: aws_sdk_config::Client) -> Recording {
    match client.describe_configuration_recorder_status().send().await {
        Ok(out) => {
            let recorders = out.configuration_recorders_status();
            if recorders.iter().any(|s| s.recording()) {
                Recording::On
            } else if recorders.is_empty() {
                Recording::NoRecorder
            } else {
                Recording::Stopped(recorders[0].name().unwrap_or("default").to_string())
            }
        }
        Err(err) => Recording::Unknown(format!(
            "config:DescribeConfigurationRecorderStatus: {}",
            aws_smithy_types::error::display::DisplayErrorContext(&err)
        )),
    }
}

/// At most this many member accounts are read at once.
const PARALLEL_ACCOUNTS: usize = 8;

/// Each target account's recorder in `region`, read through
/// `log_archive.access_role` assumed in that account.
async fn member_recording(e: &Engine<'_, '_>, role: &str, accounts: &[String], region: &str) -> Vec<(String, Recording)> {
    let mut out = Vec::new();
    for chunk in accounts.chunks(PARALLEL_ACCOUNTS) {
        let mut set = tokio::task::JoinSet::new();
        for (i, account) in chunk.iter().enumerate() {
            let (aws, account, role, region) = (e.aws.clone(), account.clone(), role.to_string(), region.to_string());
            set.spawn(async move {
                let state = match aws.assumed(&account, &role, "sessionlog-plan", 900).await {
                    Ok(cfg) => recording(aws.config_with(&cfg, &region)).await,
                    Err(err) => Recording::Unknown(format!("{err:#}")),
                };
                (i, account, state)
            });
        }
        let mut done: Vec<(usize, String, Recording)> = Vec::new();
        while let Some(r) = set.join_next().await {
            if let Ok(r) = r {
                done.push(r);
            }
        }
        done.sort_by_key(|(i, _, _)| *i);
        out.extend(done.into_iter().map(|(_, a, s)| (a, s)));
    }
    out
}

/// `a, b, c and 7 more`
fn listed(accounts: &[&String]) -> String {
    const SHOWN: usize = 10;
    let mut text = accounts.iter().take(SHOWN).map(|a| a.as_str()).collect::<Vec<_>>().join(", ");
    if accounts.len() > SHOWN {
        text.push_str(&format!(" and {} more", accounts.len() - SHOWN));
    }
    text
}

/// The notes about the member accounts' recorders for StackSet `stack`.
async fn check_members(e: &mut Engine<'_, '_>, r: &Rollout, region: &str, stack: &str) -> Vec<String> {
    let Some(set) = r.stack_sets.iter().find(|s| s.name == stack) else {
        return vec![format!("note: the CloudTrail guard of StackSet {stack} needs AWS Config recording in {region} of every member account: {}", turn_on(region))];
    };
    let accounts: Vec<String> = match e.target_accounts(r, set).await {
        Ok(a) => a.into_iter().collect(),
        Err(err) => {
            return vec![format!(
                "warning: cannot list the accounts of StackSet {stack} ({err:#}), so AWS Config recording in {region} of each was not checked: the CloudTrail guard needs it. {}",
                turn_on(region)
            )]
        }
    };
    let states = member_recording(e, &r.archive_access_role, &accounts, region).await;
    let with = |f: &dyn Fn(&Recording) -> bool| states.iter().filter(|(_, s)| f(s)).map(|(a, _)| a).collect::<Vec<_>>();
    let on = with(&|s| *s == Recording::On);
    let none = with(&|s| *s == Recording::NoRecorder);
    let stopped = with(&|s| matches!(s, Recording::Stopped(_)));
    let unknown: Vec<(&String, &String)> = states.iter().filter_map(|(a, s)| match s { Recording::Unknown(why) => Some((a, why)), _ => None }).collect();
    let mut notes = vec![format!(
        "AWS Config is recording in {region} of {} of the {} accounts of {stack}{}",
        on.len(),
        states.len(),
        if on.len() == states.len() { ": the CloudTrail guard can evaluate and remediate in each" } else { "" }
    )];
    if !none.is_empty() {
        notes.push(format!(
            "warning: AWS Config has no configuration recorder in {region} of {}: the CloudTrail guard of {stack} will evaluate nothing there. {}",
            listed(&none),
            turn_on(region)
        ));
    }
    if !stopped.is_empty() {
        notes.push(format!(
            "warning: AWS Config's recorder is stopped in {region} of {}: the CloudTrail guard of {stack} will evaluate nothing there. Start it in each account: `aws configservice start-configuration-recorder --configuration-recorder-name <name> --region {region}`",
            listed(&stopped)
        ));
    }
    if !unknown.is_empty() {
        let accounts: Vec<&String> = unknown.iter().map(|(a, _)| *a).collect();
        notes.push(format!(
            "warning: cannot tell whether AWS Config is recording in {region} of {} (through {} in each; first: {}): the CloudTrail guard of {stack} needs it",
            listed(&accounts),
            r.archive_access_role,
            unknown[0].1
        ));
    }
    notes
}

pub(super) async fn check(e: &mut Engine<'_, '_>, r: &Rollout) {
    for req in &r.requirements {
        let text = match req {
            Requirement::ConfigRecording { account: Some(account), region, stack } if *account == e.aws.caller_account => {
                match recording(e.aws.config(region)).await {
                    Recording::On => format!("AWS Config is recording in {account}/{region}: the CloudTrail guard of {stack} can evaluate and remediate"),
                    Recording::NoRecorder => format!("warning: AWS Config has no configuration recorder in {account}/{region}: the CloudTrail guard of {stack} will evaluate nothing. {}", turn_on(region)),
                    Recording::Stopped(name) => format!("warning: AWS Config's recorder is stopped in {account}/{region}: the CloudTrail guard of {stack} will evaluate nothing. Start it: `aws configservice start-configuration-recorder --configuration-recorder-name {name} --region {region}`"),
                    Recording::Unknown(why) => format!("warning: cannot tell whether AWS Config is recording in {account}/{region} ({why}): the CloudTrail guard of {stack} needs it"),
                }
            }
            Requirement::ConfigRecording { account: Some(account), region, stack } => format!(
                "note: the CloudTrail guard of {stack} needs AWS Config recording in {account}/{region}; these credentials are of {}, so check it there",
                e.aws.caller_account
            ),
            // Read by `scp_preflight`.
            Requirement::ScpAttachment(_) => continue,
            Requirement::ConfigRecording { account: None, region, stack } => {
                for text in check_members(e, r, region, stack).await {
                    e.rep.emit(Event::Note { text });
                }
                continue;
            }
        };
        e.rep.emit(Event::Note { text });
    }
}
