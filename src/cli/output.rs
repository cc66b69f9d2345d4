//! Writing a set of generated files, or comparing it with what is on disk
//! (`--check`), and saying what happened — shared by `render` and
//! `export cfct`.

use std::io::Write;
use std::path::Path;

use crate::exit;
use crate::render::FileSet;

/// How a command speaks of the files it produces.
pub struct Produced {
    /// "rendered", "exported"
    pub what: &'static str,
    /// "renders", "exports"
    pub produces: &'static str,
    /// What to do when the files on disk differ.
    pub help: &'static str,
}

/// `--check`: exit 0 when `dir` holds exactly `files`, else print the diffs
/// and the help and exit 3.
pub fn check(files: &FileSet, dir: &Path, source: &str, kind: &Produced, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let Produced { what, produces, help } = kind;
    match files.check(dir) {
        Ok(drift) if drift.is_clean() => {
            let _ = writeln!(out, "up to date: {} files match {source}", files.files.len());
            exit::OK
        }
        Ok(drift) => {
            for d in &drift.diffs {
                let _ = write!(out, "{d}");
            }
            let _ = writeln!(err, "error: {} file(s) differ from what {source} {produces}\n   = help: {help}", drift.diffs.len());
            exit::FINDINGS
        }
        Err(e) => {
            let _ = writeln!(err, "error: cannot read the {what} files\nCaused by:\n    {e}");
            exit::RUNTIME
        }
    }
}

/// Write `files` into `dir` (each through a temporary file and a rename),
/// printing each file written or removed. The number changed, or the exit
/// code after the error was printed.
pub fn write(files: &FileSet, dir: &Path, out: &mut dyn Write, err: &mut dyn Write) -> Result<usize, i32> {
    match files.write(dir) {
        Ok((written, removed)) => {
            for p in &written {
                let _ = writeln!(out, "wrote {}", dir.join(p).display());
            }
            for p in &removed {
                let _ = writeln!(out, "removed obsolete {}", dir.join(p).display());
            }
            Ok(written.len() + removed.len())
        }
        Err(e) => {
            let _ = writeln!(err, "error: cannot write into `{}`\nCaused by:\n    {e}", dir.display());
            Err(exit::RUNTIME)
        }
    }
}
