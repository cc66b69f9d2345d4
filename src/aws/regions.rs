//! AWS regions, their partitions, and which resource types they lack. The
//! region list and availability are the vendored cfn-lint data
//! (`schemas/cloudformation/`, the same the validator's SL301 uses), so the
//! configuration checks, the StackSet split and the validator cannot disagree.

use crate::validate::schema::availability;

const GUI_CONNECT: &str = "AWS::SSMGuiConnect::Preferences";

/// Every region the vendored data knows, in its order.
pub fn known() -> &'static [String] {
    &availability().regions
}

pub fn is_known(region: &str) -> bool {
    availability().knows_region(region)
}

/// Whether RDP connection recording (`AWS::SSMGuiConnect::Preferences`) exists there.
pub fn supports_rdp_recording(region: &str) -> bool {
    availability().unavailable_in(GUI_CONNECT, &[region.to_string()]).is_empty()
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
        let without: Vec<&String> = known().iter().filter(|r| !supports_rdp_recording(r)).collect();
        assert_eq!(without.len(), 20, "{without:?}");
        assert!(is_known("ap-east-2") && !is_known("us-east-7"));
    }
}
