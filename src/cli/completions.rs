//! `sessionlog completions <shell>`: the shell completion script, generated
//! from the same clap definition that parses the command line.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::exit;

#[derive(Debug, clap::Args)]
#[command(after_help = "Install, for example:
  bash:       sessionlog completions bash > ~/.local/share/bash-completion/completions/sessionlog
  zsh:        sessionlog completions zsh > ~/.zfunc/_sessionlog   (with fpath+=~/.zfunc before compinit)
  fish:       sessionlog completions fish > ~/.config/fish/completions/sessionlog.fish
  powershell: sessionlog completions powershell >> $PROFILE
  elvish:     sessionlog completions elvish >> ~/.config/elvish/rc.elv")]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn execute(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut buf = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut super::Cli::command(),
        "sessionlog",
        &mut buf,
    );
    match out.write_all(&buf) {
        Ok(()) => exit::OK,
        Err(e) => {
            let _ = writeln!(
                err,
                "error: cannot write the completion script\nCaused by:\n    {e}"
            );
            exit::RUNTIME
        }
    }
}
