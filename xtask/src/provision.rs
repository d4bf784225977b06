//! Installing what a fresh machine lacks, so `cargo xtask demo` and `cargo xtask test` work right
//! after a clone. Each step checks first and stays silent when there is nothing to do.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{bail, Context, Result};

use crate::process;

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Where `cargo xtask` keeps its project-local entry points (git-ignored).
pub const LOCAL_TOOLS_DIR: &str = ".tools";

/// A system program and the Debian package that provides it.
struct SystemTool {
    program: &'static str,
    package: &'static str,
}

const CHROMIUM: SystemTool = SystemTool {
    program: "/usr/bin/chromium",
    package: "chromium",
};
const CHROMEDRIVER: SystemTool = SystemTool {
    program: "/usr/bin/chromedriver",
    package: "chromium-driver",
};
const FFMPEG: SystemTool = SystemTool {
    program: "ffmpeg",
    package: "ffmpeg",
};
const FFPROBE: SystemTool = SystemTool {
    program: "ffprobe",
    package: "ffmpeg",
};
/// Encrypts the AES-128 fixture's segments (ffmpeg cannot choose per-segment IVs or keys).
const OPENSSL: SystemTool = SystemTool {
    program: "openssl",
    package: "openssl",
};

/// Everything `demo` and `test` need.
pub fn everything(root: &Path) -> Result<()> {
    system_packages(&[CHROMIUM, CHROMEDRIVER, FFMPEG, FFPROBE, OPENSSL])?;
    for_build(root)?;
    npm_dependencies(&root.join("tests"))?;
    // theme-check and liquidjs, for the Shopify extension's checks and browser test.
    npm_dependencies(&root.join("examples/shopify"))
}

/// The demo needs no browser tooling.
pub fn for_demo(root: &Path) -> Result<()> {
    for_fixtures()?;
    for_build(root)
}

pub fn for_fixtures() -> Result<()> {
    system_packages(&[FFMPEG, FFPROBE, OPENSSL])
}

pub fn for_build(root: &Path) -> Result<()> {
    wasm_target()?;
    wasm_bindgen(root)?;
    npm_dependencies(&root.join("npm-package"))
}

fn wasm_target() -> Result<()> {
    let installed = process::output(Command::new("rustup").args(["target", "list", "--installed"]))
        .context("rustup is needed to add the wasm32 target: install it from https://rustup.rs")?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    println!("provision: adding the {WASM_TARGET} Rust target");
    process::run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// The wasm-bindgen CLI must match the `wasm-bindgen` crate in Cargo.lock exactly, or the
/// generated glue and the wasm disagree. It takes minutes to compile, so it is installed once per
/// machine in a cache keyed by version, and linked into the clone's `.tools/`.
fn wasm_bindgen(root: &Path) -> Result<()> {
    let version = locked_version(root, "wasm-bindgen")?;
    let install_dir = tools_cache()?.join(format!("wasm-bindgen-{version}"));
    let binary = install_dir.join("bin/wasm-bindgen");
    if !binary.is_file() {
        install_wasm_bindgen(&version, &install_dir)?;
    }
    let local = root.join(LOCAL_TOOLS_DIR);
    fs::create_dir_all(&local).with_context(|| format!("could not create {}", local.display()))?;
    for program in ["wasm-bindgen", "wasm-bindgen-test-runner"] {
        let target = install_dir.join("bin").join(program);
        if target.is_file() {
            link(&target, &local.join(program))?;
        } else {
            // A link into another version's install would mismatch Cargo.lock.
            let _ = fs::remove_file(local.join(program));
        }
    }
    Ok(())
}

fn install_wasm_bindgen(version: &str, install_dir: &Path) -> Result<()> {
    println!(
        "provision: installing wasm-bindgen-cli {version} into {} (a few minutes, once per machine)",
        install_dir.display()
    );
    // Install beside the final directory and rename it into place, so a concurrent or interrupted
    // run never leaves a half-installed version that would later be taken as complete.
    let staging = install_dir.with_file_name(format!(
        "{}.partial-{}",
        install_dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy(),
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&staging);
    // No `--locked`: one of wasm-bindgen-cli's locked dependencies is missing from the registry
    // mirror this project is built against.
    process::run(
        process::cargo()
            .args(["install", "wasm-bindgen-cli", "--version"])
            .arg(version)
            .arg("--root")
            .arg(&staging),
    )
    .context(
        "installing wasm-bindgen-cli failed; check the network access to crates.io, then rerun",
    )?;
    if let Err(error) = fs::rename(&staging, install_dir) {
        let _ = fs::remove_dir_all(&staging);
        if !install_dir.join("bin/wasm-bindgen").is_file() {
            return Err(error).with_context(|| {
                format!(
                    "could not move wasm-bindgen-cli into {}",
                    install_dir.display()
                )
            });
        }
    }
    Ok(())
}

/// `$SHOPPABLE_TOOLS_DIR`, or a per-user cache shared by every clone on the machine.
fn tools_cache() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("SHOPPABLE_TOOLS_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let cache = match std::env::var_os("XDG_CACHE_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(".cache"))
            .context("neither HOME nor SHOPPABLE_TOOLS_DIR is set: set SHOPPABLE_TOOLS_DIR to a directory for cached tools")?,
    };
    Ok(cache.join("shoppable-player/tools"))
}

/// The version Cargo.lock pins for `package`.
pub fn locked_version(root: &Path, package: &str) -> Result<String> {
    let path = root.join("Cargo.lock");
    let lock = fs::read_to_string(&path).with_context(|| {
        format!(
            "could not read {}: run `cargo generate-lockfile`",
            path.display()
        )
    })?;
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line == name_line {
            if let Some(version) = lines
                .next()
                .and_then(|line| line.strip_prefix("version = \""))
                .and_then(|rest| rest.strip_suffix('"'))
            {
                return Ok(version.to_owned());
            }
        }
    }
    bail!(
        "Cargo.lock has no `{package}` package: player-ui must depend on {package} (workspace dependency)"
    )
}

/// Points `link` at `target`, replacing a link left by an older version.
fn link(target: &Path, link: &Path) -> Result<()> {
    if fs::read_link(link).is_ok_and(|current| current == target) {
        return Ok(());
    }
    let _ = fs::remove_file(link);
    std::os::unix::fs::symlink(target, link)
        .with_context(|| format!("could not link {} to {}", link.display(), target.display()))
}

fn system_packages(tools: &[SystemTool]) -> Result<()> {
    let mut missing: Vec<&str> = tools
        .iter()
        .filter(|tool| !is_installed(tool.program))
        .map(|tool| tool.package)
        .collect();
    missing.dedup();
    if missing.is_empty() {
        return Ok(());
    }
    if !process::on_path("apt-get") {
        bail!(
            "missing programs; install these packages (Debian names) with your package manager: {}",
            missing.join(" ")
        );
    }
    if !running_as_root()? {
        bail!(
            "missing system packages; install them, then rerun:\n  sudo apt-get install -y {}",
            missing.join(" ")
        );
    }
    println!("provision: apt-get install {}", missing.join(" "));
    process::run(Command::new("apt-get").args(["update", "-qq"]))?;
    process::run(
        Command::new("apt-get")
            .args(["install", "-y", "-qq"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn is_installed(program: &str) -> bool {
    if program.starts_with('/') {
        Path::new(program).is_file()
    } else {
        process::on_path(program)
    }
}

/// The owner of `/proc/self` is the process's effective user; this avoids a libc dependency.
fn running_as_root() -> Result<bool> {
    let metadata =
        fs::metadata("/proc/self").context("could not read /proc/self to check for root")?;
    Ok(metadata.uid() == 0)
}

/// npm packages (esbuild, binaryen, playwright-core) are reinstalled only when the manifest or
/// lock file changed since the last install, which a stamp file in node_modules records.
pub fn npm_dependencies(dir: &Path) -> Result<()> {
    let manifest = dir.join("package.json");
    if !manifest.is_file() {
        bail!(
            "{} is missing: it lists the npm tools the build and tests need",
            manifest.display()
        );
    }
    let stamp = dir.join("node_modules/.xtask-installed");
    let installed_at = modified(&stamp);
    let changed_at = [manifest, dir.join("package-lock.json")]
        .iter()
        .filter_map(|file| modified(file))
        .max();
    if installed_at.is_some() && installed_at >= changed_at {
        return Ok(());
    }
    println!("provision: npm install in {}", dir.display());
    process::run(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(dir),
    )
    .context(
        "npm install failed: Node.js 20+ and npm must be installed and the npm registry reachable",
    )?;
    fs::write(&stamp, "").with_context(|| format!("could not write {}", stamp.display()))
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locked_version_reads_the_named_package_only() {
        let dir = std::env::temp_dir().join(format!("xtask-lock-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("Cargo.lock"),
            "[[package]]\nname = \"wasm-bindgen-shared\"\nversion = \"0.2.99\"\n\n\
             [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\nsource = \"x\"\n",
        )
        .unwrap();
        assert_eq!(locked_version(&dir, "wasm-bindgen").unwrap(), "0.2.130");
        assert!(locked_version(&dir, "leptos").is_err());
        fs::remove_dir_all(&dir).unwrap();
    }
}
