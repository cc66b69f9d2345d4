//! `sessionlog explain SL###`: one text per validation rule (`SL###.md`
//! beside this file) — what the rule checks, why it matters in AWS, an
//! example that triggers it and the fix. The same texts make
//! `docs/validation-rules.md` ([`rules_markdown`]); `tests/docs.rs` checks
//! that every rule of [`rules::ALL`] has one, that each example really
//! triggers its rule (and each fixed example does not), and that the docs
//! file is what the texts give.
//!
//! An example is a fenced block whose info string is `yaml triggers` (or
//! `json triggers`); a fixed one, `yaml fixed`. After the word, options the
//! example is validated with: `regions=us-east-1,eu-west-1` (like
//! `--regions`) and `security=everywhere` (like `--security`).

use super::rules::{self, Rule};
use super::{Options, SecurityScope};

macro_rules! texts {
    ($($id:ident),* $(,)?) => {
        /// Every explanation, by rule id.
        static TEXTS: &[(&str, &str)] = &[$((stringify!($id), include_str!(concat!(stringify!($id), ".md")))),*];
    };
}

texts!(
    SL100, SL101, SL102, SL103, SL104, SL105, SL106, SL107, SL108, SL110, SL111, SL112, SL113, SL114,
    SL115, SL116, SL117, SL118, SL120, SL121, SL122, SL123, SL124, SL125, SL201, SL202, SL203,
    SL204, SL205, SL206, SL207, SL208, SL209, SL210, SL211, SL301, SL302, SL303, SL401, SL402,
    SL501, SL502, SL503, SL504, SL505, SL506, SL507, SL508, SL509, SL510, SL511, SL512, SL601,
    SL602, SL603, SL701, SL702, SL703, SL704, SL705,
);

/// The ids that have an explanation (whether or not a rule has that id).
pub fn explained_ids() -> impl Iterator<Item = &'static str> {
    TEXTS.iter().map(|(id, _)| *id)
}

/// The explanation of a rule id (`SL101`).
pub fn text(id: &str) -> Option<&'static str> {
    TEXTS.iter().find(|(i, _)| *i == id).map(|(_, t)| *t)
}

/// An explanation as `explain` prints it: the examples' fences keep only
/// their language (`yaml triggers regions=…` is for the tests).
pub fn display(text: &str) -> String {
    text.lines()
        .map(|l| match l.strip_prefix("```") {
            Some(info) => format!(
                "```{}\n",
                info.split_whitespace().next().unwrap_or_default()
            ),
            None => format!("{l}\n"),
        })
        .collect()
}

/// The rule a user names: its id in any case (`sl101`) or its name
/// (`duplicate-key`).
pub fn find(query: &str) -> Option<&'static Rule> {
    let q = query.trim();
    rules::ALL
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(q) || r.name == q)
}

/// What an example must show when validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The rule is reported.
    Triggers,
    /// The rule is not reported.
    Fixed,
}

/// A template of an explanation, with the options it is validated with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub expect: Expect,
    pub text: String,
    pub options: Options,
    /// 1-based line of the opening fence in the explanation.
    pub line: usize,
}

/// The examples of an explanation; an error names a malformed info string.
pub fn examples(text: &str) -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut words = info.split_whitespace();
        let lang = words.next().unwrap_or_default();
        let expect = match words.next() {
            Some("triggers") => Some(Expect::Triggers),
            Some("fixed") => Some(Expect::Fixed),
            Some(other) => {
                return Err(format!(
                    "line {}: unknown example kind `{other}` (triggers, fixed)",
                    n + 1
                ))
            }
            None => None,
        };
        let mut body = String::new();
        for (_, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        let Some(expect) = expect else { continue };
        if lang != "yaml" && lang != "json" {
            return Err(format!(
                "line {}: an example is `yaml` or `json`, not `{lang}`",
                n + 1
            ));
        }
        let mut options = Options::default();
        for w in words {
            match w.split_once('=') {
                Some(("regions", v)) => {
                    options.regions = v.split(',').map(str::to_string).collect()
                }
                Some(("security", v)) => {
                    options.security = v
                        .parse::<SecurityScope>()
                        .map_err(|e| format!("line {}: {e}", n + 1))?
                }
                _ => {
                    return Err(format!(
                        "line {}: unknown example option `{w}` (regions=…, security=…)",
                        n + 1
                    ))
                }
            }
        }
        out.push(Example {
            expect,
            text: body,
            options,
            line: n + 1,
        });
    }
    Ok(out)
}

/// `docs/validation-rules.md`: the list of rules, then every explanation.
pub fn rules_markdown() -> String {
    let mut s = String::from(
        "# Validation rules\n\n\
         <!-- Generated from src/validate/explain/*.md by tests/docs.rs; \
         UPDATE_DOCS=1 cargo test --test docs rewrites it. Edit the texts, not this file. -->\n\n\
         Every rule `sessionlog validate` applies, with what it checks, why it matters in AWS, an\n\
         example that triggers it and the fix — the same texts `sessionlog explain SL###` prints.\n\
         How findings are reported and where the security rules are errors: [Validation](validation.md).\n\n\
         | Rule | Name | Severity | Checks |\n|---|---|---|---|\n",
    );
    for r in rules::ALL {
        let anchor = heading_anchor(r);
        s.push_str(&format!(
            "| [{}](#{anchor}) | `{}` | {} | {} |\n",
            r.id,
            r.name,
            r.severity.as_str(),
            r.summary.replace('|', "\\|")
        ));
    }
    for r in rules::ALL {
        let Some(t) = text(r.id) else { continue };
        s.push('\n');
        s.push_str(&demote(t));
    }
    s
}

/// The first line every explanation starts with: `# SL101: duplicate-key`.
pub fn heading(rule: &Rule) -> String {
    format!("# {}: {}", rule.id, rule.name)
}

/// GitHub's anchor of the rule's heading in `docs/validation-rules.md`.
fn heading_anchor(rule: &Rule) -> String {
    format!("{}-{}", rule.id.to_ascii_lowercase(), rule.name)
}

/// Every heading one level deeper, outside code blocks.
fn demote(text: &str) -> String {
    let mut out = String::new();
    let mut fence = false;
    for line in text.lines() {
        if line.starts_with("```") {
            fence = !fence;
        }
        if !fence && line.starts_with('#') {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_carry_their_options() {
        let t = "x\n```yaml triggers regions=us-east-1,eu-west-1 security=everywhere\nA: 1\n```\n```text\nno\n```\n```json fixed\n{}\n```\n";
        let ex = examples(t).unwrap();
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[0].expect, Expect::Triggers);
        assert_eq!(ex[0].text, "A: 1\n");
        assert_eq!(ex[0].options.regions, ["us-east-1", "eu-west-1"]);
        assert_eq!(ex[0].options.security, SecurityScope::Everywhere);
        assert_eq!(ex[0].line, 2);
        assert_eq!(ex[1].expect, Expect::Fixed);
        assert!(examples("```yaml trigger\n```\n")
            .unwrap_err()
            .contains("unknown example kind"));
        assert!(examples("```yaml triggers region=x\n```\n")
            .unwrap_err()
            .contains("unknown example option"));
        assert!(examples("```text triggers\n```\n").is_err());
    }

    #[test]
    fn rules_are_found_by_id_or_name() {
        assert_eq!(find("sl101").map(|r| r.id), Some("SL101"));
        assert_eq!(find("duplicate-key").map(|r| r.id), Some("SL101"));
        assert!(find("SL999").is_none());
    }

    #[test]
    fn display_drops_the_example_options() {
        assert_eq!(
            display("# A\n```yaml triggers regions=a\nx: 1\n```\n"),
            "# A\n```yaml\nx: 1\n```\n"
        );
    }

    #[test]
    fn demote_leaves_code_alone() {
        assert_eq!(
            demote("# A\n```yaml\n# c\n```\n## B\n"),
            "## A\n```yaml\n# c\n```\n### B\n"
        );
    }
}
