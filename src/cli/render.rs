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

const RENDERED: super::output::Produced =
    super::output::Produced { what: "rendered", produces: "renders", help: "run `sessionlog render` and commit the result" };

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
        return super::output::check(&files, &args.out_dir, &source.name, &RENDERED, out, err);
    }
    match super::output::write(&files, &args.out_dir, out, err) {
        Ok(changed) => {
            let _ = writeln!(out, "rendered {} ({} files, {changed} changed) into {}", source.name, files.files.len(), args.out_dir.display());
            exit::OK
        }
        Err(code) => code,
    }
}
