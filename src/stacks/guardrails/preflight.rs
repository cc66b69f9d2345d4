//! What `plan` must read before the service control policies are attached
//! (issue 17): the room each target has for them and the roles each
//! exempts, from the same policies [`super::scp`] writes.

use crate::bundle::{ExemptRoles, Requirement, ScpAttachment};
use crate::config::model::Config;

use super::scp::{self, STACKSETS_EXEC_ROLE_PATTERN};
use super::ROLE_PATH;

/// The check, when any policy is on.
pub fn requirement(c: &Config) -> Option<Requirement> {
    let policies: Vec<(String, Vec<String>)> = scp::policies(c)
        .into_iter()
        .map(|p| (p.name, p.targets))
        .collect();
    if policies.is_empty() {
        return None;
    }
    let members = c.guardrails.scp.enabled.then(|| ExemptRoles {
        stacksets_exec: Some(STACKSETS_EXEC_ROLE_PATTERN.to_string()),
        own_path: Some(format!("{}*", ROLE_PATH.trim_start_matches('/'))),
        access_role: None,
        named: named(
            "guardrails.scp.break_glass_roles",
            &c.guardrails.scp.break_glass_roles,
        ),
    });
    let archive = c.guardrails.log_archive.scp.then(|| ExemptRoles {
        stacksets_exec: None,
        own_path: None,
        access_role: Some(c.log_archive.access_role.clone()),
        named: named(
            "guardrails.log_archive.break_glass_roles",
            &c.guardrails.log_archive.break_glass_roles,
        ),
    });
    Some(Requirement::ScpAttachment(ScpAttachment {
        policies,
        members,
        archive,
    }))
}

fn named(key: &str, patterns: &[String]) -> Vec<(String, String)> {
    patterns
        .iter()
        .map(|p| (key.to_string(), p.clone()))
        .collect()
}
