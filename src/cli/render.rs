//! `sessionlog render`: configuration → templates/ and stacksets/.

use std::io::Write;
use std::path::PathBuf;

use crate::exit;
use crate::render::{self, Format};

use super::ConfigArg;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Directory that receives templates/ and stacksets/.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    /// Template format.
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    pub format: Format,
    /// Write nothing; exit 3 with a unified diff when the files on disk
    /// differ from what would be rendered.
    #[arg(long)]
    pub check: bool,
}

pub fn execute(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let (source, bundle) = match super::compile::load(&args.config, err) {
        Ok(b) => b,
        Err(code) => return code,
    };
    if let Err(code) = super::compile::require_valid(&bundle, args.format, err) {
        return code;
    }
    let files = render::files(&bundle, args.format);

    if args.check {
        return match files.check(&args.out_dir) {
            Ok(drift) if drift.is_clean() => {
                let _ = writeln!(out, "up to date: {} files match {}", files.files.len(), source.name);
                exit::OK
            }
            Ok(drift) => {
                for d in &drift.diffs {
                    let _ = write!(out, "{d}");
                }
                let _ = writeln!(
                    err,
                    "error: {} file(s) differ from what {} renders\n   = help: run `sessionlog render` and commit the result",
                    drift.diffs.len(),
                    source.name
                );
                exit::FINDINGS
            }
            Err(e) => {
                let _ = writeln!(err, "error: cannot read the rendered files\nCaused by:\n    {e}");
                exit::RUNTIME
            }
        };
    }

    match files.write(&args.out_dir) {
        Ok((written, removed)) => {
            for p in &written {
                let _ = writeln!(out, "wrote {}", args.out_dir.join(p).display());
            }
            for p in &removed {
                let _ = writeln!(out, "removed obsolete {}", args.out_dir.join(p).display());
            }
            let _ = writeln!(
                out,
                "rendered {} ({} files, {} changed) into {}",
                source.name,
                files.files.len(),
                written.len() + removed.len(),
                args.out_dir.display()
            );
            exit::OK
        }
        Err(e) => {
            let _ = writeln!(err, "error: cannot write into `{}`\nCaused by:\n    {e}", args.out_dir.display());
            exit::RUNTIME
        }
    }
}
