//! player-core compiled for Node: the `bench-wasm` crate, built exactly as the SDK's wasm is
//! (release profile, wasm-bindgen, `wasm-opt -Oz`), but with wasm-bindgen's `nodejs` target.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::provision::LOCAL_TOOLS_DIR;
use crate::{build, process};

const CRATE: &str = "bench-wasm";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
const OUT_DIR: &str = "target/bench/wasm";

/// The module's CommonJS entry (`require` it from Node), once [`build`] made it.
pub fn entry(root: &Path) -> PathBuf {
    root.join(OUT_DIR).join("bench_wasm.js")
}

/// Builds the module into `target/bench/wasm/`.
pub fn build(root: &Path) -> Result<()> {
    println!("bench: compiling {CRATE} for {WASM_TARGET} (release profile, as the SDK)");
    process::run(
        process::cargo()
            .args([
                "build",
                "--package",
                CRATE,
                "--target",
                WASM_TARGET,
                "--release",
            ])
            // As in the SDK build: wasm-bindgen needs the target_features section, and wasm-opt
            // strips it afterwards.
            .args(["--config", "profile.release.strip=false"])
            .current_dir(root),
    )
    .with_context(|| format!("{CRATE} does not build; fix the errors above"))?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let wasm = target_dir
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{}.wasm", CRATE.replace('-', "_")));

    let out = root.join(OUT_DIR);
    process::run(
        Command::new(root.join(LOCAL_TOOLS_DIR).join("wasm-bindgen"))
            .args(["--target", "nodejs", "--no-typescript", "--out-dir"])
            .arg(&out)
            .arg(&wasm),
    )
    .context("wasm-bindgen failed: `cargo xtask provision` installs the version Cargo.lock pins")?;
    build::optimise_wasm(&root.join("npm-package"), &out.join("bench_wasm_bg.wasm"))
}
