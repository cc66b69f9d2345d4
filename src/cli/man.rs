//! `sessionlog man`: the manual page (roff), generated from the clap
//! definition, so it cannot drift from `--help`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::CommandFactory;

use crate::exit;

#[derive(Debug, clap::Args)]
#[command(after_help = "View it: sessionlog man | man -l -
Install it: sessionlog man --out-dir ~/.local/share/man/man1")]
pub struct Args {
    /// Write sessionlog.1 and one page per subcommand (sessionlog-render.1,
    /// …) into DIR instead of printing sessionlog.1.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

pub fn execute(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let cmd = super::Cli::command();
    match &args.out_dir {
        None => {
            let mut buf = Vec::new();
            let written = clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .and_then(|()| out.write_all(&buf));
            match written {
                Ok(()) => exit::OK,
                Err(e) => {
                    let _ = writeln!(
                        err,
                        "error: cannot write the manual page\nCaused by:\n    {e}"
                    );
                    exit::RUNTIME
                }
            }
        }
        Some(dir) => match write_pages(cmd, dir) {
            Ok(files) => {
                for f in &files {
                    let _ = writeln!(out, "wrote {}", f.display());
                }
                exit::OK
            }
            Err(e) => {
                let _ = writeln!(
                    err,
                    "error: cannot write into `{}`\nCaused by:\n    {e}",
                    dir.display()
                );
                exit::RUNTIME
            }
        },
    }
}

/// `sessionlog.1` and `sessionlog-<sub>[-<subsub>].1` for every visible
/// subcommand (clap names built subcommands `sessionlog-<sub>`).
fn write_pages(cmd: clap::Command, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut files = Vec::new();
    write_page(cmd, dir, &mut files)?;
    Ok(files)
}

fn write_page(cmd: clap::Command, dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let subs: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    files.push(clap_mangen::Man::new(cmd).generate_to(dir)?);
    for sub in subs {
        write_page(sub, dir, files)?;
    }
    Ok(())
}
