//! Guardrails that keep logging on (issue 8, seed 004): the organization
//! trail, its AWS Config guard, the service control policy (all in the
//! management account), the per-account guard (a StackSet) and the
//! preferences watch (part of the member regional template).
//!
//! Names shared by several templates are derived here, once.

pub mod guard;
pub mod management;
pub mod member_guard;
pub mod preflight;
pub mod scp;
pub mod trail;
pub mod watch;

use crate::bundle::Requirement;
use crate::config::model::{Config, TrailOwner};

/// File stem of the management-account guardrails template.
pub const MANAGEMENT_GUARDRAILS: &str = "management-guardrails";
/// File stem of the per-account Config guard (StackSet) template.
pub const MEMBER_GUARD: &str = "member-guard";
/// IAM path of every role sessionlog creates: the SCP exempts it by ARN
/// (and denies everyone else creating or changing roles under it).
pub const ROLE_PATH: &str = "/sessionlog/";
pub const CLOUDTRAIL_PRINCIPAL: &str = "cloudtrail.amazonaws.com";
/// Name prefix of the guard's runbook (`sessionlog-CloudTrailGuard-<hash>`).
pub const RUNBOOK_PREFIX: &str = "sessionlog-";
/// The Config rule's name.
pub const CONFIG_RULE: &str = "sessionlog-cloudtrail-enabled";
/// Tag value of the watch's function and rules (`sessionlog:component`):
/// the SCP protects them by it, their names being generated.
pub const WATCH_COMPONENT: &str = "session-preferences";

/// What the guardrails need that sessionlog does not deploy: AWS Config
/// recording where the CloudTrail guard's rule runs.
pub fn requirements(c: &Config) -> Vec<Requirement> {
    let g = GuardNames::new(c);
    let mut out = Vec::new();
    if g.guard_in_management() {
        out.push(Requirement::ConfigRecording {
            account: Some(c.organization.management_account.clone()),
            region: g.region(),
            stack: g.management_stack(),
        });
    }
    if g.guard_in_members() {
        out.push(Requirement::ConfigRecording {
            account: None,
            region: g.region(),
            stack: format!("{}-{MEMBER_GUARD}", c.stack_set.name_prefix),
        });
    }
    out.extend(preflight::requirement(c));
    out
}

/// Names and places of the guardrails, derived from the configuration.
pub struct GuardNames<'a> {
    c: &'a Config,
}

impl<'a> GuardNames<'a> {
    pub fn new(c: &'a Config) -> Self {
        GuardNames { c }
    }

    /// The management-account stack's region: the organization trail's home
    /// region and where a guard of a management-account trail runs.
    pub fn region(&self) -> String {
        self.c.guardrails.region(&self.c.log_archive.region)
    }

    pub fn management_stack(&self) -> String {
        format!("{}-guardrails", self.c.stack_set.name_prefix)
    }

    pub fn trail_name(&self) -> &str {
        self.c.guardrails.cloudtrail.name()
    }

    /// The ARN of the trail sessionlog creates, as a `!Sub` text.
    pub fn organization_trail_arn_sub(&self) -> String {
        format!(
            "arn:${{AWS::Partition}}:cloudtrail:{}:{}:trail/{}",
            self.region(),
            self.c.organization.management_account,
            self.trail_name()
        )
    }

    /// Whether the Config guard runs in the member accounts (StackSet).
    pub fn guard_in_members(&self) -> bool {
        self.c.guardrails.config_guard
            && self.c.guardrails.cloudtrail.guard_owner() == Some(TrailOwner::Members)
    }

    /// Whether the Config guard runs in the management account.
    pub fn guard_in_management(&self) -> bool {
        self.c.guardrails.config_guard
            && self.c.guardrails.cloudtrail.guard_owner() == Some(TrailOwner::Management)
    }
}

/// A short stable hash (FNV-1a, 64 bits) for names that must change when
/// content changes.
pub fn short_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{:08x}", h >> 32)
}

/// What only the built guardrails can tell — the SCP over Organizations'
/// size limit, the managed preferences over the preferences function's
/// environment limit — as configuration problems (key path; the commands
/// locate them in the source and exit 2, writing nothing).
pub fn size_problems(c: &Config) -> Vec<crate::config::Diagnostic> {
    use crate::config::model::DocumentMode;
    use crate::config::Diagnostic;
    let g = &c.guardrails;
    let mut out = Vec::new();
    if c.session_manager.document == DocumentMode::Upsert {
        use super::functions;
        let content = super::session_document::content_as_sub(&super::session_document::content(c));
        let env = functions::upsert_environment(c, &content, c.rdp_recording.enabled);
        let size = functions::environment_size(&env);
        if size > functions::ENV_LIMIT {
            let (key, help) = if g.preferences_watch {
                ("/guardrails/preferences_watch", "shorten session_manager.shell_profile, or turn preferences_watch off")
            } else {
                ("/session_manager/shell_profile", "shorten session_manager.shell_profile")
            };
            out.push(
                Diagnostic::new(key, format!("the managed preferences take up to {size} bytes in the preferences function's environment; Lambda allows {}", functions::ENV_LIMIT))
                    .help(help),
            );
        }
    }
    for (id, size) in scp::sizes(c) {
        if size > scp::MAX_SIZE {
            let (key, help) = match id {
                scp::LOG_ARCHIVE_POLICY => ("/guardrails/log_archive", "list fewer log_archive.break_glass_roles (a pattern like `emergency/*` covers several)"),
                scp::REMOTE_ACCESS_POLICY => ("/guardrails/scp/unlogged_access", "list fewer session_documents or regions"),
                _ => ("/guardrails/scp", "list fewer break_glass_roles (a pattern like `emergency/*` covers several) or fewer exclude_accounts"),
            };
            out.push(
                Diagnostic::new(key, format!("the service control policy {id} is {size} characters; AWS Organizations allows {}", scp::MAX_SIZE))
                    .help(help),
            );
        }
    }
    out
}
