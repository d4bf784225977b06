//! `cargo xtask test`: every test the project has, against the real built package served by the
//! real demo server, with one summary at the end. A failing step does not hide the results of
//! the independent steps after it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::{build, fixtures, process, provision, server};

// The npm, script-tag and Shopify doors (issue 7); only `test` uses it.
#[path = "distribution.rs"]
mod distribution;

pub struct Options {
    /// Skip `cargo test`, for quick iteration on browser tests.
    pub e2e_only: bool,
    /// Passed to `node --test-name-pattern`.
    pub filter: Option<String>,
}

const E2E_DIR: &str = "tests/e2e";
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

pub fn run(root: &Path, options: &Options) -> Result<()> {
    // Nothing below can run without the tools, so a provisioning failure ends the run here.
    provision::everything(root)?;
    let mut report = Report::default();
    let fixtures_ok = report.step("fixtures", || fixtures::generate(root));
    let build_ok = report.step("build", || build::sdk(root));
    if !options.e2e_only {
        report.step("native tests (cargo test)", || {
            // Every test binary, not just those before the first failure.
            process::run(
                process::cargo()
                    .args(["test", "--no-fail-fast"])
                    .current_dir(root),
            )
        });
    }
    if build_ok {
        // What the browser tests of the Vite app and the Shopify block load is prepared here.
        let packed = report.step("npm pack, installed into examples/npm-vite", || {
            distribution::pack_and_install(root).map(drop)
        });
        if packed {
            report.step("typed example (tsc --noEmit --strict)", || {
                distribution::typecheck(root)
            });
            report.step("Vite example (vite build)", || {
                distribution::vite_build(root)
            });
        } else {
            report.skipped("typed example (tsc --noEmit --strict)", "npm pack failed");
            report.skipped("Vite example (vite build)", "npm pack failed");
        }
        report.step("Shopify extension (theme-check)", || {
            distribution::shopify_extension(root)
        });
    }
    if fixtures_ok && build_ok {
        report.step("browser tests (node --test)", || {
            browser_tests(root, options)
        });
        // Every measurement of `cargo xtask bench` once, on tiny inputs: the bench itself stays
        // runnable. Timings are never asserted here.
        if !options.e2e_only {
            report.step("bench smoke (cargo xtask bench --smoke)", || {
                crate::bench::smoke(root)
            });
        }
    } else {
        report.skipped(
            "browser tests (node --test)",
            "they need the fixtures and the build",
        );
    }
    report.print();
    if report.all_passed() {
        Ok(())
    } else {
        bail!("some test steps failed; the output above each FAILED line says why")
    }
}

fn browser_tests(root: &Path, options: &Options) -> Result<()> {
    let tests = root.join("tests");
    let files = e2e_test_files(root)?;
    let log_path = root.join("target/e2e-server.log");
    fs::create_dir_all(root.join("target")).context("could not create target/")?;
    let server = server::spawn_in_background(root, server::RequestLog::file(&log_path)?)?;
    let base_url = format!("http://127.0.0.1:{}", server.port);
    println!(
        "test: server on {base_url}, request log in {}",
        log_path.display()
    );

    let mut node = Command::new("node");
    node.args(["--test", "--test-reporter=spec"]);
    if let Some(filter) = &options.filter {
        node.arg(format!("--test-name-pattern={filter}"));
    }
    node.args(&files)
        .current_dir(&tests)
        .env("BASE_URL", &base_url)
        .env(
            "CHROMIUM_PATH",
            std::env::var_os("CHROMIUM_PATH").unwrap_or_else(|| DEFAULT_CHROMIUM.into()),
        );
    let result = process::run(&mut node);
    drop(server);
    result
}

/// Listed explicitly rather than passing the directory, whose meaning to `node --test` changed
/// between Node versions.
fn e2e_test_files(root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join(E2E_DIR);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .with_context(|| format!("could not read {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.ends_with(".test.mjs"))
        })
        .filter_map(|path| {
            path.strip_prefix(root.join("tests"))
                .ok()
                .map(Path::to_path_buf)
        })
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no browser tests: expected {E2E_DIR}/*.test.mjs files");
    }
    Ok(files)
}

#[derive(Default)]
struct Report {
    lines: Vec<(String, Outcome)>,
}

enum Outcome {
    Passed(f64),
    Failed(f64, String),
    Skipped(&'static str),
}

impl Report {
    fn step(&mut self, name: &str, run: impl FnOnce() -> Result<()>) -> bool {
        println!("test: ── {name} ──");
        let started = Instant::now();
        let result = run();
        let seconds = started.elapsed().as_secs_f64();
        let passed = result.is_ok();
        let outcome = match result {
            Ok(()) => Outcome::Passed(seconds),
            Err(error) => {
                eprintln!("test: {name} failed: {error:#}");
                Outcome::Failed(seconds, format!("{error:#}"))
            }
        };
        self.lines.push((name.to_owned(), outcome));
        passed
    }

    fn skipped(&mut self, name: &str, reason: &'static str) {
        self.lines.push((name.to_owned(), Outcome::Skipped(reason)));
    }

    fn all_passed(&self) -> bool {
        self.lines
            .iter()
            .all(|(_, outcome)| matches!(outcome, Outcome::Passed(_)))
    }

    fn print(&self) {
        println!("\ntest summary:");
        for (name, outcome) in &self.lines {
            match outcome {
                Outcome::Passed(seconds) => println!("  ok       {name} ({seconds:.1} s)"),
                Outcome::Failed(seconds, error) => {
                    let first_line = error.lines().next().unwrap_or_default();
                    println!("  FAILED   {name} ({seconds:.1} s): {first_line}")
                }
                Outcome::Skipped(reason) => println!("  skipped  {name}: {reason}"),
            }
        }
    }
}
