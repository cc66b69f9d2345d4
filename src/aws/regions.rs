//! AWS regions, their partitions, and which resource types they lack. The
//! region list and availability are the vendored cfn-lint data
//! (`schemas/cloudformation/`, the same the validator's SL301 uses), so the
//! configuration checks, the StackSet split and the validator cannot disagree.

use crate::aws::availability::availability;

const GUI_CONNECT: &str = "AWS::SSMGuiConnect::Preferences";

/// The resource types the log copy needs in a region: the destination and
/// the Firehose stream in the log-archive account, the subscription filter
/// in the member accounts.
pub const LOG_COPY_TYPES: [&str; 3] = [
    "AWS::Logs::Destination",
    "AWS::KinesisFirehose::DeliveryStream",
    "AWS::Logs::SubscriptionFilter",
];

/// Every region the vendored data knows, in its order.
pub fn known() -> &'static [String] {
    &availability().regions
}

pub fn is_known(region: &str) -> bool {
    availability().knows_region(region)
}

/// Whether RDP connection recording (`AWS::SSMGuiConnect::Preferences`) exists there.
pub fn supports_rdp_recording(region: &str) -> bool {
    availability()
        .unavailable_in(GUI_CONNECT, &[region.to_string()])
        .is_empty()
}

/// The log-copy types that do not exist in `region` (empty: the copy works there).
pub fn missing_log_copy_types(region: &str) -> Vec<&'static str> {
    let region = [region.to_string()];
    LOG_COPY_TYPES
        .into_iter()
        .filter(|t| !availability().unavailable_in(t, &region).is_empty())
        .collect()
}

/// Whether the log copy can be deployed in `region`.
pub fn supports_log_copy(region: &str) -> bool {
    missing_log_copy_types(region).is_empty()
}

/// Whether CloudFormation has the resource type `type_name` in `region`.
pub fn has_type(type_name: &str, region: &str) -> bool {
    availability().unavailable_in(type_name, &[region.to_string()]).is_empty()
}

/// The partition a region belongs to.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("eusc-") {
        "aws-eusc"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts() {
        assert!(supports_rdp_recording("us-east-1"));
        assert!(!supports_rdp_recording("eu-south-1"));
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        let without: Vec<&String> = known()
            .iter()
            .filter(|r| !supports_rdp_recording(r))
            .collect();
        assert_eq!(without.len(), 20, "{without:?}");
        assert!(is_known("ap-east-2") && !is_known("us-east-7"));
        // cfn-lint 1.51's data: the log copy's three types exist everywhere.
        assert!(known().iter().all(|r| supports_log_copy(r)));
    }
}
