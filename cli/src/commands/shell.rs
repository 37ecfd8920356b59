//! `labelbox completions SHELL` and `labelbox man`: generated from the command line's own
//! definition, so they never drift from it.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::args::{Cli, ShellArg};
use crate::exit::Exit;

/// Writes the completion script for `shell` on stdout.
pub fn completions(shell: ShellArg) -> anyhow::Result<Exit> {
    let shell = match shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
        ShellArg::Powershell => Shell::PowerShell,
    };
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut Cli::command(), "labelbox", &mut out);
    out.flush()?;
    Ok(Exit::Success)
}

/// Writes the manual page (roff, section 1) on stdout.
pub fn man() -> anyhow::Result<Exit> {
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    out.flush()?;
    Ok(Exit::Success)
}
