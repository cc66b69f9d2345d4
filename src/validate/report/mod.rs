//! Report output formats behind one trait, one file per format.

mod human;
mod json;
mod sarif;

use std::io::{self, Write};
use std::str::FromStr;

use super::finding::Report;

pub use human::Human;
pub use json::Json;
pub use sarif::Sarif;

/// Writes a report in one format.
pub trait Reporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
    Sarif,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "human" | "text" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            other => Err(format!("unknown format `{other}` (human, json, sarif)")),
        }
    }
}

impl Format {
    pub fn reporter(self) -> Box<dyn Reporter> {
        match self {
            Format::Human => Box::new(Human),
            Format::Json => Box::new(Json),
            Format::Sarif => Box::new(Sarif),
        }
    }
}

/// Writes `report` in `format`.
pub fn write(report: &Report, format: Format, out: &mut dyn Write) -> io::Result<()> {
    format.reporter().write(report, out)
}
