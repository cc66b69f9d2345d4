//! Stage 3: turn the model into text — templates as YAML (short-form
//! intrinsics) or JSON, StackSet inputs, the generated README — and write or
//! check the files. Knows nothing of Session Manager.

pub mod files;
pub mod readme;
pub mod stacksets;
pub mod yaml;

use std::path::PathBuf;

use crate::bundle::Bundle;
use crate::model::Template;
use crate::stacks;

pub use files::{Drift, FileSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Yaml,
    Json,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
        }
    }
}

/// The text of a template.
pub fn template_text(t: &Template, format: Format) -> String {
    let value = t.to_value();
    match format {
        Format::Yaml => yaml::to_yaml(&value),
        Format::Json => json_text(&value),
    }
}

/// Pretty JSON with a trailing newline.
pub fn json_text(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("json serializes");
    s.push('\n');
    s
}

/// Every file of a bundle, relative to the output directory.
pub fn files(bundle: &Bundle, format: Format) -> FileSet {
    let ext = format.extension();
    let mut set = FileSet::default();
    for t in bundle.templates() {
        set.files.insert(
            PathBuf::from(format!("templates/{}.{ext}", t.file_stem)),
            template_text(&t.template, format),
        );
    }
    set.files.insert(PathBuf::from("templates/README.md"), readme::render(bundle, ext));
    for s in &bundle.stack_sets {
        let body = template_text(&s.template.template, format);
        set.files.insert(
            PathBuf::from(format!("stacksets/{}.stack-set.json", s.template.file_stem)),
            json_text(&stacksets::create_stack_set(s, &body)),
        );
        set.files.insert(
            PathBuf::from(format!("stacksets/{}.stack-instances.json", s.template.file_stem)),
            json_text(&stacksets::create_stack_instances(s)),
        );
    }
    // Files an earlier render may have written that this one does not.
    let stems = [
        stacks::LOG_ARCHIVE,
        stacks::LOG_ARCHIVE_REPLICA,
        stacks::MEMBER_IAM,
        stacks::MEMBER_REGIONAL,
        stacks::MEMBER_REGIONAL_NO_RDP,
        stacks::IDENTITY_CENTER,
    ];
    for stem in stems {
        let mut candidates = vec![
            format!("templates/{stem}.yaml"),
            format!("templates/{stem}.json"),
            format!("stacksets/{stem}.stack-set.json"),
            format!("stacksets/{stem}.stack-instances.json"),
        ];
        candidates.retain(|c| !set.files.contains_key(&PathBuf::from(c)));
        set.obsolete.extend(candidates.into_iter().map(PathBuf::from));
    }
    set
}
