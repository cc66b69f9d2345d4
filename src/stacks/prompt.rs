//! The Linux shell-profile lines that put an instance tag in the prompt
//! (seed 003's `Hostname`), read through IMDSv2 instance-metadata tags: a
//! session token (`PUT /latest/api/token`), then
//! `/latest/meta-data/tags/instance/<Tag>`. Without metadata tags (the
//! instance option is off: 404) the prompt shows the instance id; off EC2
//! (no metadata service) the host name.
//!
//! POSIX `sh`, because Session Manager starts `sh` (dash on Debian/Ubuntu,
//! bash on Amazon Linux). The tag value is reduced to `A-Za-z0-9._-` before
//! it reaches `PS1`: whoever can tag an instance must not be able to run
//! commands in every operator's shell through `$(…)` in a tag.

/// The instance metadata service.
pub const IMDS: &str = "http://169.254.169.254";

/// The profile lines for `tag`, reading metadata from `imds` (always
/// [`IMDS`] in templates; tests point it at a stand-in on 127.0.0.1).
pub fn snippet(tag: &str, imds: &str) -> String {
    let clean = "tr -cd 'A-Za-z0-9._-'";
    [
        format!("# sessionlog: the instance's {tag} tag in the prompt (IMDSv2 instance metadata tags; else the instance id)"),
        format!("sl_t=$(curl -sf -m 1 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' {imds}/latest/api/token 2>/dev/null)"),
        "if [ -n \"$sl_t\" ]; then".to_string(),
        format!("  sl_n=$(curl -sf -m 1 -H \"X-aws-ec2-metadata-token: $sl_t\" {imds}/latest/meta-data/tags/instance/{tag} 2>/dev/null | {clean} | cut -c1-63)"),
        format!("  [ -n \"$sl_n\" ] || sl_n=$(curl -sf -m 1 -H \"X-aws-ec2-metadata-token: $sl_t\" {imds}/latest/meta-data/instance-id 2>/dev/null | {clean})"),
        "fi".to_string(),
        format!("[ -n \"$sl_n\" ] || sl_n=$(hostname 2>/dev/null | {clean})"),
        "PS1=\"[$(id -un)@$sl_n \\$PWD]\\$ \"".to_string(),
        "unset sl_t sl_n".to_string(),
    ]
    .join("\n")
}

/// The Linux shell profile: the prompt lines (when a tag is configured),
/// then the user's own commands.
pub fn linux_profile(prompt_tag: Option<&str>, user: &str) -> String {
    match prompt_tag {
        None => user.to_string(),
        Some(tag) if user.trim().is_empty() => snippet(tag, IMDS),
        Some(tag) => format!("{}\n{user}", snippet(tag, IMDS)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_profile_follows_the_prompt_lines() {
        assert_eq!(linux_profile(None, "cd /srv"), "cd /srv");
        let p = linux_profile(Some("Hostname"), "cd /srv");
        assert!(
            p.starts_with("# sessionlog: the instance's Hostname tag"),
            "{p}"
        );
        assert!(p.ends_with("unset sl_t sl_n\ncd /srv"), "{p}");
        assert!(p.contains("http://169.254.169.254/latest/meta-data/tags/instance/Hostname"));
        assert!(!linux_profile(Some("Hostname"), "").ends_with('\n'));
        // No `${`: the text passes through `Fn::Sub` unchanged.
        assert!(!p.contains("${"));
    }
}
