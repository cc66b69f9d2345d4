//! Which optional parts each region gets: RDP recording and the log copy
//! exist only where their resource types do (the vendored availability data,
//! `aws::regions`). Regions are grouped by what they support; each group is
//! its own StackSet (or replica template), like RDP recording always was.

use crate::aws::regions;
use crate::config::model::Config;

use super::log_copy;

/// Where the optional types exist. A seam: the vendored data knows no region
/// without the log copy's types, so tests build for a pretend one.
#[derive(Debug, Clone, Copy)]
pub struct RegionSupport {
    pub rdp_recording: fn(&str) -> bool,
    pub log_copy: fn(&str) -> bool,
}

impl RegionSupport {
    /// From the vendored cfn-lint availability data.
    pub fn vendored() -> Self {
        RegionSupport {
            rdp_recording: regions::supports_rdp_recording,
            log_copy: regions::supports_log_copy,
        }
    }

    /// Whether `region` gets the log copy under this configuration.
    pub fn copies(&self, c: &Config, region: &str) -> bool {
        log_copy::enabled(c) && (self.log_copy)(region)
    }
}

/// One member regional StackSet: its file stem, what it deploys, which
/// optional parts its template has, and its regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberVariant {
    pub stem: &'static str,
    pub what: &'static str,
    pub rdp: bool,
    pub copy: bool,
    pub regions: Vec<String>,
}

const MEMBER: [(&str, bool, bool, &str); 4] = [
    (super::MEMBER_REGIONAL, true, true, "Session Manager log group and preferences (and RDP recording) in every member region"),
    (super::MEMBER_REGIONAL_NO_RDP, false, true, "Session Manager log group and preferences in member regions without RDP connection recording"),
    (super::MEMBER_REGIONAL_NO_COPY, true, false, "Session Manager log group and preferences (and RDP recording) in member regions where the log copy's types do not exist"),
    (super::MEMBER_REGIONAL_NO_RDP_NO_COPY, false, false, "Session Manager log group and preferences in member regions without RDP connection recording or the log copy's types"),
];

/// The member regional StackSets, regions in configuration order. A region
/// is in the "with" group of a part that is switched off altogether (its
/// template then simply leaves the part out).
pub fn member_variants(c: &Config, s: &RegionSupport) -> Vec<MemberVariant> {
    let rdp_group = |r: &str| !c.rdp_recording.enabled || (s.rdp_recording)(r);
    let copy_group = |r: &str| !log_copy::enabled(c) || (s.log_copy)(r);
    MEMBER
        .iter()
        .map(|(stem, rdp, copy, what)| MemberVariant {
            stem,
            what,
            rdp: *rdp,
            copy: *copy && log_copy::enabled(c),
            regions: c
                .regions
                .iter()
                .filter(|r| rdp_group(r) == *rdp && copy_group(r) == *copy)
                .cloned()
                .collect(),
        })
        .filter(|v| !v.regions.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(edits: &[(&str, &str)]) -> Config {
        crate::config::load::edited_example(edits)
    }

    fn stems(v: &[MemberVariant]) -> Vec<(&str, Vec<&str>)> {
        v.iter()
            .map(|v| (v.stem, v.regions.iter().map(String::as_str).collect()))
            .collect()
    }

    #[test]
    fn regions_are_grouped_by_what_they_support() {
        let c = config(&[]);
        let vendored = member_variants(&c, &RegionSupport::vendored());
        assert_eq!(
            stems(&vendored),
            vec![
                ("member-regional", vec!["us-east-1", "eu-west-1"]),
                ("member-regional-no-rdp", vec!["eu-south-1"])
            ]
        );
        assert!(
            vendored.iter().all(|v| v.copy),
            "the example copies everywhere"
        );

        let pretend = RegionSupport {
            log_copy: |r| r != "eu-west-1" && r != "eu-south-1",
            ..RegionSupport::vendored()
        };
        let v = member_variants(&c, &pretend);
        assert_eq!(
            stems(&v),
            vec![
                ("member-regional", vec!["us-east-1"]),
                ("member-regional-no-copy", vec!["eu-west-1"]),
                ("member-regional-no-rdp-no-copy", vec!["eu-south-1"]),
            ]
        );
        assert_eq!(
            v.iter().map(|v| (v.rdp, v.copy)).collect::<Vec<_>>(),
            vec![(true, true), (true, false), (false, false)]
        );
    }

    #[test]
    fn a_part_switched_off_does_not_split_regions() {
        let c = config(&[
            (
                "rdp_recording:\n  enabled: true",
                "rdp_recording:\n  enabled: false",
            ),
            ("log_copy:\n  enabled: true", "log_copy:\n  enabled: false"),
        ]);
        let pretend = RegionSupport {
            log_copy: |_| false,
            rdp_recording: |_| false,
        };
        let v = member_variants(&c, &pretend);
        assert_eq!(
            stems(&v),
            vec![(
                "member-regional",
                vec!["us-east-1", "eu-west-1", "eu-south-1"]
            )]
        );
        assert!(!v[0].copy);
    }
}
