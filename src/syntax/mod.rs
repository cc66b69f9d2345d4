//! The position-keeping reader shared by the configuration and the template
//! validator: source text → [`Node`] tree in which every value keeps its line
//! and column. YAML (CloudFormation short-form tags expanded to long form)
//! and JSON; JSON is read by its own parser so that tabs and exact columns
//! behave as in the file.
//!
//! Hostile input is bounded: the text's size ([`MAX_INPUT_BYTES`]), the
//! nesting depth ([`MAX_DEPTH`]) and what YAML aliases may expand to
//! ([`MAX_ALIAS_VALUES`], [`MAX_ALIAS_BYTES`]) are limited, so a few hundred
//! bytes of aliases cannot make the reader build 10⁸ values: it stops at the
//! limit with an error naming it, having built at most that much.

mod json;
mod scalar;
mod yaml;

pub use json::{has_sub_variable, parse_embedded_json, parse_json};
pub use scalar::number as resolve_number;
pub use yaml::{parse_yaml, parse_yaml_with};

pub mod tree;

use tree::{Node, Pos};

/// Nesting deeper than this is refused (no template needs it; it keeps every
/// recursive check far from the stack limit).
pub const MAX_DEPTH: usize = 128;
/// Largest text read (CloudFormation accepts templates up to 1 MB).
pub const MAX_INPUT_BYTES: usize = 8 << 20;
/// Most values YAML aliases may add to a document (each alias adds a copy of
/// what its anchor holds).
pub const MAX_ALIAS_VALUES: usize = 100_000;
/// Most text (in scalars) YAML aliases may add to a document.
pub const MAX_ALIAS_BYTES: usize = 4 << 20;

/// Why a source could not be read.
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
    /// JSON pointer of the value concerned (for a duplicate key, the key).
    pub pointer: String,
    /// For a duplicate key, where the key first appeared.
    pub first: Option<Pos>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    DuplicateKey,
    UnknownTag,
    /// A pre-processor's tag (`!Rain::Embed`), in a template: its value is
    /// not checked.
    PreprocessorTag,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub root: Option<Node>,
    pub issues: Vec<ParseIssue>,
}

/// How YAML is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// `<<: *defaults` merges the aliased mapping's keys (YAML 1.1 merge
    /// keys; keys written in the mapping itself win). Off for templates:
    /// CloudFormation does not support merge keys, so `<<` stays a key.
    pub merge_keys: bool,
    /// CloudFormation's short-form tags (`!Ref`, `!Sub`…) are expanded to
    /// their long form; off, every `!tag` is reported as unknown.
    pub short_forms: bool,
}

impl ReadOptions {
    /// A CloudFormation template.
    pub const TEMPLATE: ReadOptions = ReadOptions {
        merge_keys: false,
        short_forms: true,
    };
    /// A plain YAML document (sessionlog's configuration).
    pub const CONFIG: ReadOptions = ReadOptions {
        merge_keys: true,
        short_forms: false,
    };
}

/// The error for text longer than [`MAX_INPUT_BYTES`].
pub fn too_large(len: usize) -> ParseError {
    ParseError {
        pos: Pos::new(1, 1),
        message: format!(
            "the file is {len} bytes; at most {MAX_INPUT_BYTES} bytes are read (CloudFormation accepts templates up to 1 MB)"
        ),
    }
}

/// Parses a template: JSON when it starts like a JSON object (`{"` or
/// `{}`), else YAML (a YAML flow mapping `{Key: …}` included).
pub fn parse_template(text: &str) -> Result<Parsed, ParseError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(too_large(text.len()));
    }
    let blank = ['\u{feff}', ' ', '\t', '\r', '\n'];
    let Some(body) = text.trim_start_matches(blank).strip_prefix('{') else {
        return parse_yaml(text);
    };
    // `{"Key"` or `{}` is JSON; `{Key: …}` is a YAML flow mapping.
    let json_looking = matches!(
        body.trim_start_matches(blank).chars().next(),
        Some('"' | '}') | None
    );
    match json::parse_json_document(text) {
        Ok(parsed) => Ok(parsed),
        Err(json_error) if json_looking => Err(json_error),
        Err(json_error) => parse_yaml(text).map_err(|_| json_error),
    }
}
