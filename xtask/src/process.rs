//! Running external programs (cargo, ffmpeg, npm, node, …) so that a failure names the exact
//! command line, which is what a person needs to reproduce it by hand.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

/// Runs with the terminal attached, so long tools (cargo, apt-get, npm) show their own progress.
pub fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("could not start `{}`", describe(command)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(command));
    }
    Ok(())
}

/// Runs silently and returns stdout; on failure the error carries the program's stderr.
pub fn output(command: &mut Command) -> Result<String> {
    let stdout = output_bytes(command)?;
    String::from_utf8(stdout).with_context(|| {
        format!(
            "`{}` printed something that is not UTF-8",
            describe(command)
        )
    })
}

/// Like [`output`], for binary output. Stdin is closed unless the caller set it.
pub fn output_bytes(command: &mut Command) -> Result<Vec<u8>> {
    let output = command
        .output()
        .with_context(|| format!("could not start `{}`", describe(command)))?;
    if !output.status.success() {
        bail!(
            "`{}` failed ({}):\n{}",
            describe(command),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        );
    }
    Ok(output.stdout)
}

/// Whether a program can be started at all, for "is it installed?" checks.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// The cargo that is running xtask, so nested builds use the same toolchain.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The command line as a person would type it: tools are found by their file names (cargo's
/// absolute toolchain path or `node_modules/.bin/` only add noise).
pub fn describe(command: &Command) -> String {
    let program = Path::new(command.get_program());
    let mut line = program
        .file_name()
        .unwrap_or(program.as_os_str())
        .to_string_lossy()
        .into_owned();
    for arg in command.get_args() {
        let arg = arg.to_string_lossy();
        line.push(' ');
        if arg.is_empty() || arg.contains([' ', '\'', '"', ';', '[', ']']) {
            line.push('\'');
            line.push_str(&arg.replace('\'', r"'\''"));
            line.push('\'');
        } else {
            line.push_str(&arg);
        }
    }
    line
}
