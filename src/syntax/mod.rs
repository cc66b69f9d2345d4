//! The position-keeping reader shared by the configuration and the template
//! validator: source text → [`Node`] tree in which every value keeps its line
//! and column. YAML (CloudFormation short-form tags expanded to long form)
//! and JSON; JSON is read by its own parser so that tabs and exact columns
//! behave as in the file.

mod json;
mod scalar;
mod yaml;

pub use json::{has_sub_variable, parse_embedded_json, parse_json};
pub use scalar::number as resolve_number;
pub use yaml::parse_yaml;

pub mod tree;

use tree::{Node, Pos};

/// Nesting deeper than this is refused (no template needs it; it keeps every
/// recursive check far from the stack limit).
pub const MAX_DEPTH: usize = 128;

/// Why a source could not be read as a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub pos: Pos,
    pub message: String,
}

/// A problem found while parsing that does not stop it (unknown tag,
/// duplicate key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIssue {
    pub kind: IssueKind,
    pub pos: Pos,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    DuplicateKey,
    UnknownTag,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub root: Option<Node>,
    pub issues: Vec<ParseIssue>,
}

/// Parses a template: JSON when it starts like a JSON object (`{"` or
/// `{}`), else YAML (a YAML flow mapping `{Key: …}` included).
pub fn parse_template(text: &str) -> Result<Parsed, ParseError> {
    let blank = ['\u{feff}', ' ', '\t', '\r', '\n'];
    let Some(body) = text.trim_start_matches(blank).strip_prefix('{') else {
        return parse_yaml(text);
    };
    // `{"Key"` or `{}` is JSON; `{Key: …}` is a YAML flow mapping.
    let json_looking = matches!(
        body.trim_start_matches(blank).chars().next(),
        Some('"' | '}') | None
    );
    match parse_json(text) {
        Ok(root) => Ok(Parsed {
            root: Some(root),
            issues: Vec::new(),
        }),
        Err(json_error) if json_looking => Err(json_error),
        Err(json_error) => parse_yaml(text).map_err(|_| json_error),
    }
}
