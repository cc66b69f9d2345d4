//! `sessionlog init`: write the commented starter configuration.

use std::io::Write;
use std::path::PathBuf;

use crate::config::load::{DEFAULT_FILE, EXAMPLE};
use crate::config::schema::schema_text;
use crate::exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the starter file.
    #[arg(long, short = 'o', value_name = "PATH", default_value = DEFAULT_FILE)]
    pub output: PathBuf,
}

pub fn execute(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    // create_new: refuse atomically if the file exists, even if created just now.
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&args.output);
    match file {
        Ok(mut f) => {
            if let Err(e) = f.write_all(EXAMPLE.as_bytes()) {
                let _ = writeln!(err, "error: cannot write `{}`\nCaused by:\n    {e}", args.output.display());
                return exit::RUNTIME;
            }
            let _ = writeln!(
                out,
                "wrote {}: set your organization, accounts, OUs, regions and operator profiles (and the Identity Center instance, or remove it), then run `sessionlog render`",
                args.output.display()
            );
            write_schema(args, out, err)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let _ = writeln!(
                err,
                "error: `{}` already exists; not overwritten\n   = help: remove it first or choose another path with --output",
                args.output.display()
            );
            exit::INVALID_INPUT
        }
        Err(e) => {
            let _ = writeln!(err, "error: cannot create `{}`\nCaused by:\n    {e}", args.output.display());
            exit::RUNTIME
        }
    }
}

/// The schema beside the starter file, where its `$schema` comment points
/// editors. An existing schema file is left alone unless it is identical.
fn write_schema(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let path = args.output.with_file_name("sessionlog.schema.json");
    let text = schema_text();
    match std::fs::read_to_string(&path) {
        Ok(existing) if existing == text => exit::OK,
        Ok(_) => {
            let _ = writeln!(out, "kept the existing {}; `sessionlog schema` prints the current schema", path.display());
            exit::OK
        }
        Err(_) => match std::fs::write(&path, text) {
            Ok(()) => {
                let _ = writeln!(out, "wrote {} (the JSON Schema editors check the file with)", path.display());
                exit::OK
            }
            Err(e) => {
                let _ = writeln!(err, "error: cannot write `{}`\nCaused by:\n    {e}", path.display());
                exit::RUNTIME
            }
        },
    }
}
