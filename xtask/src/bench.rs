//! `cargo xtask bench`: the performance record, measured side by side with hls.js and mux.js in
//! one run, written to `target/bench.json` and `docs/benchmarks.md`.
//!
//! Rust prepares what is measured (the SDK build, player-core compiled to wasm for Node, the
//! media inputs) and serves it; the measurements themselves are Node scripts in `xtask/bench/`,
//! because both the competitors and the browser driver are JavaScript:
//! - `sizes.mjs`: shipped bytes (raw, gzip -9, brotli) of our SDK and of hls.js's builds;
//! - `cpu.mjs`: playlist parsing and TS→fMP4 transmuxing throughput, ours (wasm) against
//!   hls.js's `M3U8Parser` and mux.js;
//! - `browser.mjs`: time to first frame, long tasks, create/destroy memory and ABR in headless
//!   Chromium; `soak.mjs`: memory over 10 minutes of looping playback, alongside the others;
//! - `report.mjs`: the table, the JSON record and the Markdown page.
//!
//! `--smoke` runs every measurement once on tiny inputs (seconds, no ffmpeg encode) and writes
//! only `target/bench-smoke.json`: it checks that the bench still works, not how fast we are.

mod media;
mod site;
mod wasm;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::{build, fixtures, process, provision};

/// The Node side: scripts, page shell and the competitors' npm packages.
pub const BENCH_DIR: &str = "xtask/bench";

pub struct Options {
    /// Tiny inputs and one iteration of everything: proves the bench runs, measures nothing.
    pub smoke: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Full,
    Smoke,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::Smoke => "smoke",
        }
    }

    /// Results of a smoke run never overwrite the record of a full one.
    fn work_dir(self, root: &Path) -> PathBuf {
        root.join(match self {
            Mode::Full => "target/bench",
            Mode::Smoke => "target/bench-smoke",
        })
    }

    fn record(self, root: &Path) -> PathBuf {
        root.join(match self {
            Mode::Full => "target/bench.json",
            Mode::Smoke => "target/bench-smoke.json",
        })
    }
}

/// `cargo xtask bench [--smoke]`: installs, generates and builds what is missing, then measures.
pub fn run(root: &Path, options: &Options) -> Result<()> {
    let started = Instant::now();
    provision::everything(root)?;
    provision::npm_dependencies(&root.join(BENCH_DIR))?;
    fixtures::generate(root)?;
    build::sdk(root)?;
    let mode = if options.smoke {
        Mode::Smoke
    } else {
        Mode::Full
    };
    measure(root, mode, started)
}

/// The smoke run for `cargo xtask test`, which has already provisioned, generated the fixtures
/// and built the SDK: only the bench's own npm packages and wasm module are prepared here.
// Not called yet: `cargo xtask test` is to call it after its own build step.
pub fn smoke(root: &Path) -> Result<()> {
    let started = Instant::now();
    provision::npm_dependencies(&root.join(BENCH_DIR))?;
    measure(root, Mode::Smoke, started)
}

fn measure(root: &Path, mode: Mode, started: Instant) -> Result<()> {
    let work = mode.work_dir(root);
    let results = work.join("results");
    // Stale results from an earlier run must not be reported as this run's.
    if results.exists() {
        fs::remove_dir_all(&results)
            .with_context(|| format!("could not clean {}", results.display()))?;
    }
    fs::create_dir_all(&results)
        .with_context(|| format!("could not create {}", results.display()))?;

    // The statistics every figure goes through, checked on inputs with known answers first.
    process::run(
        Command::new("node")
            .args(["--test", "--test-reporter=dot", "lib/stats.test.mjs"])
            .current_dir(root.join(BENCH_DIR)),
    )
    .context("the bench's own unit tests failed")?;
    let server = site::spawn(root)?;
    let base_url = format!("http://127.0.0.1:{}", server.port);
    println!("bench: {} run, server on {base_url}", mode.name());
    let mut node = NodeEnv {
        root: root.to_path_buf(),
        mode,
        results: results.clone(),
        wasm: wasm::entry(root),
        media: None,
        base_url,
        rustc: process::output(Command::new("rustc").arg("--version"))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|_| "unknown".to_owned()),
    };

    // The soak plays our player for 10 minutes (full run) in its own browser while everything
    // else is prepared and measured: one after the other, the bench would not fit its 15-minute
    // budget. It needs only the SDK, which is built by now.
    println!("bench: ── soak.mjs (in the background) ──");
    let soak_started = Instant::now();
    let mut soak = node
        .command("soak.mjs")
        .spawn()
        .context("could not start node soak.mjs")?;
    let prepared = wasm::build(root).and_then(|_| match mode {
        Mode::Full => media::generate(&root.join(media::MEDIA_DIR)).map(Some),
        Mode::Smoke => Ok(None),
    });
    node.media = match prepared {
        Ok(media) => media,
        Err(error) => {
            stop(&mut soak);
            return Err(error);
        }
    };
    let mut failed = Vec::new();
    for script in ["sizes.mjs", "cpu.mjs", "browser.mjs"] {
        let step = Instant::now();
        println!("bench: ── {script} ──");
        if let Err(error) = process::run(&mut node.command(script)) {
            // Later measurements are independent: report what could be measured.
            eprintln!("bench: {script} failed: {error:#}");
            failed.push(script);
        }
        println!("bench: {script} took {:.0} s", step.elapsed().as_secs_f64());
    }
    println!("bench: waiting for soak.mjs");
    match soak.wait() {
        Ok(status) if status.success() => {}
        Ok(status) => {
            eprintln!("bench: soak.mjs failed ({status})");
            failed.push("soak.mjs");
        }
        Err(error) => {
            eprintln!("bench: soak.mjs could not be waited for: {error}");
            failed.push("soak.mjs");
        }
    }
    println!(
        "bench: soak.mjs took {:.0} s",
        soak_started.elapsed().as_secs_f64()
    );
    drop(server);

    let mut report = node.command("report.mjs");
    report.env(
        "BENCH_ELAPSED_S",
        format!("{:.0}", started.elapsed().as_secs_f64()),
    );
    report.env("BENCH_RECORD", mode.record(root));
    if mode == Mode::Full {
        report.env("BENCH_DOC", root.join("docs/benchmarks.md"));
    }
    process::run(&mut report).context("the bench report could not be written")?;
    println!(
        "bench: {} run finished in {:.0} s",
        mode.name(),
        started.elapsed().as_secs_f64()
    );
    if !failed.is_empty() {
        bail!(
            "these measurements failed (see their output above): {}",
            failed.join(", ")
        );
    }
    Ok(())
}

/// What every bench script receives, as environment variables (documented in each script).
struct NodeEnv {
    root: PathBuf,
    mode: Mode,
    results: PathBuf,
    wasm: PathBuf,
    media: Option<media::Media>,
    base_url: String,
    rustc: String,
}

impl NodeEnv {
    fn command(&self, script: &str) -> Command {
        let bench = self.root.join(BENCH_DIR);
        let mut command = Command::new("node");
        command
            .arg(bench.join(script))
            .current_dir(&bench)
            .env("BENCH_ROOT", &self.root)
            .env("BENCH_MODE", self.mode.name())
            .env("BENCH_RESULTS", &self.results)
            .env("BENCH_WASM", &self.wasm)
            .env("BASE_URL", &self.base_url)
            .env("BENCH_RUSTC", &self.rustc)
            .env(
                "CHROMIUM_PATH",
                std::env::var_os("CHROMIUM_PATH").unwrap_or_else(|| "/usr/bin/chromium".into()),
            );
        if let Some(media) = &self.media {
            command
                .env("BENCH_SEGMENT_1080P", &media.segment_1080p)
                .env("BENCH_ABR_MASTER", &media.abr_master)
                .env("BENCH_ABR_URL", &media.abr_url);
        }
        command
    }
}

/// Asks a Node script to stop with SIGTERM, on which Playwright closes its browser first (a
/// SIGKILL would leave Chromium running), then waits for it.
fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}
