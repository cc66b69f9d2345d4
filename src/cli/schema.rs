//! `sessionlog schema`: print the configuration's JSON Schema.

use std::io::Write;

use crate::config::schema::schema_text;
use crate::exit;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn execute(_args: &Args, out: &mut dyn Write, _err: &mut dyn Write) -> i32 {
    match out.write_all(schema_text().as_bytes()) {
        Ok(()) => exit::OK,
        Err(_) => exit::RUNTIME,
    }
}
