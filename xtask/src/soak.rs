//! `cargo xtask soak`: the full-length soak tests of `tests/e2e/hardening.test.mjs` — looping
//! playback for 30 minutes and 300 create/destroy cycles, where `cargo xtask test` runs them
//! for 60 seconds and 250 cycles. Same test code, longer settings, so the short run in every
//! test pass and the long one here cannot drift apart. The figures go to `target/soak.json`
//! (the tests write them) for `docs/testing.md`.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::{build, fixtures, process, provision, server};

pub struct Options {
    pub minutes: u64,
    pub cycles: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            minutes: 30,
            cycles: 300,
        }
    }
}

pub fn run(root: &Path, options: &Options) -> Result<()> {
    provision::everything(root)?;
    fixtures::generate(root)?;
    build::sdk(root)?;
    let target = root.join("target");
    fs::create_dir_all(&target).context("could not create target/")?;
    let log_path = target.join("soak-server.log");
    let report = target.join("soak.json");
    let server = server::spawn_in_background(root, server::RequestLog::file(&log_path)?)?;
    let base_url = format!("http://127.0.0.1:{}", server.port);
    println!(
        "soak: {} min of looping playback and {} create/destroy cycles against {base_url}",
        options.minutes, options.cycles
    );
    let result = process::run(
        Command::new("node")
            .args([
                "--test",
                "--test-reporter=spec",
                // Only the soak tests: the rest of the file runs in `cargo xtask test`.
                "--test-name-pattern=^soak:",
                "e2e/hardening.test.mjs",
            ])
            .current_dir(root.join("tests"))
            .env("BASE_URL", &base_url)
            .env("SOAK_SECONDS", (options.minutes * 60).to_string())
            .env("SOAK_CYCLES", options.cycles.to_string())
            .env("SOAK_REPORT", &report)
            .env(
                "CHROMIUM_PATH",
                std::env::var_os("CHROMIUM_PATH").unwrap_or_else(|| "/usr/bin/chromium".into()),
            ),
    );
    drop(server);
    if report.exists() {
        println!("soak: figures in {}", report.display());
    }
    result
}
