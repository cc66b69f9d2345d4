//! What the deployed stacks need that sessionlog does not deploy, checked
//! by `plan` and `deploy` where the caller's credentials can see it, and
//! said plainly (with what to do) where they cannot. A failed check warns:
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

pub(super) async fn check(e: &mut Engine<'_, '_>, r: &Rollout) {
    for req in &r.requirements {
        let text = match req {
            Requirement::ConfigRecording { account: Some(account), region, stack } if *account == e.aws.caller_account => {
                match e.aws.config(region).describe_configuration_recorder_status().send().await {
                    Ok(out) => {
                        let recorders = out.configuration_recorders_status();
                        if recorders.iter().any(|s| s.recording()) {
                            format!("AWS Config is recording in {account}/{region}: the CloudTrail guard of {stack} can evaluate and remediate")
                        } else if recorders.is_empty() {
                            format!("warning: AWS Config has no configuration recorder in {account}/{region}: the CloudTrail guard of {stack} will evaluate nothing. {}", turn_on(region))
                        } else {
                            format!("warning: AWS Config's recorder is stopped in {account}/{region}: the CloudTrail guard of {stack} will evaluate nothing. Start it: `aws configservice start-configuration-recorder --configuration-recorder-name {} --region {region}`", recorders[0].name().unwrap_or("default"))
                        }
                    }
                    Err(err) => format!(
                        "warning: cannot tell whether AWS Config is recording in {account}/{region} (config:DescribeConfigurationRecorderStatus: {}): the CloudTrail guard of {stack} needs it",
                        aws_smithy_types::error::display::DisplayErrorContext(&err)
                    ),
                }
            }
            Requirement::ConfigRecording { account: Some(account), region, stack } => format!(
                "note: the CloudTrail guard of {stack} needs AWS Config recording in {account}/{region}; these credentials are of {}, so check it there",
                e.aws.caller_account
            ),
            Requirement::ConfigRecording { account: None, region, stack } => format!(
                "note: the CloudTrail guard of StackSet {stack} needs AWS Config recording in {region} of every member account; sessionlog cannot see member accounts' recorders: {}",
                turn_on(region)
            ),
        };
        e.rep.emit(Event::Note { text });
    }
}
