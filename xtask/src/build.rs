//! Building the shipped SDK into `npm-package/dist/`: the size-optimised wasm, its wasm-bindgen
//! glue, the ES module entry and the script-tag loader, then reporting what a shopper downloads.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::process;
use crate::provision::LOCAL_TOOLS_DIR;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const UI_CRATE: &str = "player-ui";
/// The stem of the wasm-bindgen output; the loader and `index.js` import these names.
const WASM_OUT_NAME: &str = "shoppable_player_wasm";
/// What current Rust emits for wasm32 by default (LLVM's "generic" CPU), as `wasm-opt
/// --print-features` reports it. wasm-opt must be told, or its validator rejects the module.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-call-indirect-overlong",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The two JavaScript entry points, bundled by esbuild.
struct Bundle {
    source: &'static str,
    output: &'static str,
    format: &'static str,
}

const BUNDLES: &[Bundle] = &[
    // A classic script so a theme can use a plain `<script src>` tag.
    Bundle {
        source: "src/loader.js",
        output: "shoppable-player.js",
        format: "iife",
    },
    Bundle {
        source: "src/index.js",
        output: "index.js",
        format: "esm",
    },
];

pub fn sdk(root: &Path) -> Result<()> {
    let package = root.join("npm-package");
    // Built in a staging folder and swapped in at the end, so that a page (or a test) loading
    // dist while a build runs never sees it half written, and a renamed or removed artefact
    // cannot linger.
    let staging = package.join(format!(".dist-staging-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    fs::create_dir_all(&staging)
        .with_context(|| format!("could not create {}", staging.display()))?;

    let wasm = compile_wasm(root)?;
    generate_bindings(root, &wasm, &staging)?;
    let bindings = staging.join(format!("{WASM_OUT_NAME}_bg.wasm"));
    optimise_wasm(&package, &bindings)?;
    let glue = staging.join(format!("{WASM_OUT_NAME}.js"));
    minify_glue(&package, &glue)?;
    let mut artefacts = vec![glue, bindings];
    for bundle in BUNDLES {
        if let Some(output) = bundle_js(&package, &staging, bundle)? {
            artefacts.push(output);
        }
    }
    let dist = package.join("dist");
    let sizes = report_sizes(&staging, &dist, &artefacts);
    let old = package.join(format!(".dist-old-{}", std::process::id()));
    if dist.exists() {
        fs::rename(&dist, &old).with_context(|| format!("could not move {}", dist.display()))?;
    }
    fs::rename(&staging, &dist).with_context(|| format!("could not create {}", dist.display()))?;
    if old.exists() {
        fs::remove_dir_all(&old).ok();
    }
    sizes
}

fn compile_wasm(root: &Path) -> Result<PathBuf> {
    println!("build: compiling {UI_CRATE} for {WASM_TARGET}");
    process::run(
        process::cargo()
            .args([
                "build",
                "--package",
                UI_CRATE,
                "--target",
                WASM_TARGET,
                "--release",
            ])
            // Stripping here would drop the `target_features` section, and without it
            // wasm-bindgen falls back to glue without multi-value returns (larger and slower).
            // wasm-opt strips everything at the end instead.
            .args(["--config", "profile.release.strip=false"])
            .current_dir(root),
    )
    .with_context(|| {
        format!("{UI_CRATE} does not build for {WASM_TARGET}; fix the errors above")
    })?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let wasm = target_dir
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{}.wasm", UI_CRATE.replace('-', "_")));
    anyhow::ensure!(
        wasm.is_file(),
        "{} was not produced: {UI_CRATE} must be a `cdylib` crate",
        wasm.display()
    );
    Ok(wasm)
}

fn generate_bindings(root: &Path, wasm: &Path, dist: &Path) -> Result<()> {
    let wasm_bindgen = root.join(LOCAL_TOOLS_DIR).join("wasm-bindgen");
    process::run(
        Command::new(&wasm_bindgen)
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                WASM_OUT_NAME,
            ])
            .arg("--out-dir")
            .arg(dist)
            .arg(wasm),
    )
    .context("wasm-bindgen failed: `cargo xtask provision` installs the version Cargo.lock pins")
}

/// Binaryen from npm: Debian's is too old to read what current Rust emits.
pub fn optimise_wasm(package: &Path, wasm: &Path) -> Result<()> {
    process::run(
        Command::new(package.join("node_modules/.bin/wasm-opt"))
            .arg("-Oz")
            // Rust's wasm32 linker puts the stack first (it grows down from 1 MiB towards 0) and
            // the data after it, so the lowest 1 KiB is touched only by a stack about to
            // overflow. Telling wasm-opt lets it fold address arithmetic into load/store
            // offsets: 1.7 KB less gzip.
            .arg("--low-memory-unused")
            .args(WASM_FEATURES)
            .args([
                "--strip-debug",
                "--strip-producers",
                "--strip-target-features",
            ])
            .arg(wasm)
            .arg("-o")
            .arg(wasm),
    )
    .context(
        "wasm-opt failed: `cargo xtask provision` installs binaryen from npm-package/package.json",
    )
}

/// wasm-bindgen writes its glue for reading (JSDoc, long local names): minified it is 3.5 KB
/// less gzip. Exports and the strings the wasm imports by are kept; only the wasm's URL
/// expression is written back in its canonical form (esbuild drops the space after the comma).
fn minify_glue(package: &Path, glue: &Path) -> Result<()> {
    let minified = process::output(
        Command::new(package.join("node_modules/.bin/esbuild"))
            .arg(glue)
            .args([
                "--minify",
                "--format=esm",
                "--target=es2020",
                "--log-level=warning",
            ])
            .current_dir(package),
    )
    .context("esbuild could not minify the wasm-bindgen glue")?;
    // How the glue finds the wasm next to it: bundlers (Vite, webpack) look for this form to
    // copy the wasm as an asset, and the distribution test checks for it.
    let url = format!("new URL('{WASM_OUT_NAME}_bg.wasm', import.meta.url)");
    let minified_url = url.replace('\'', "\"").replace(", ", ",");
    anyhow::ensure!(
        minified.contains(&minified_url),
        "the minified glue no longer contains `{minified_url}`: update minify_glue"
    );
    fs::write(glue, minified.replace(&minified_url, &url))
        .with_context(|| format!("could not write {}", glue.display()))
}

/// Returns `None` when the entry point is not written yet, so the wasm half can be built alone.
fn bundle_js(package: &Path, out_dir: &Path, bundle: &Bundle) -> Result<Option<PathBuf>> {
    let source = package.join(bundle.source);
    if !source.is_file() {
        println!(
            "build: skipping dist/{}: npm-package/{} does not exist yet",
            bundle.output, bundle.source
        );
        return Ok(None);
    }
    let output = out_dir.join(bundle.output);
    process::output(
        Command::new(package.join("node_modules/.bin/esbuild"))
            .arg(&source)
            .args([
                "--bundle",
                "--minify",
                "--target=es2020",
                "--log-level=warning",
            ])
            .arg(format!("--format={}", bundle.format))
            // The wasm-bindgen glue sits next to the bundles in dist and is loaded at run time.
            .arg(format!("--external:./{WASM_OUT_NAME}.js"))
            .arg(format!("--outfile={}", output.display()))
            .current_dir(package),
    )
    .with_context(|| format!("esbuild could not bundle npm-package/{}", bundle.source))?;
    Ok(Some(output))
}

/// Raw and `gzip -9` sizes: the gzip figure is what budgets (and Shopify) measure.
/// Artefacts are named as they will be in `dist` (they are measured in `staging`).
fn report_sizes(staging: &Path, dist: &Path, artefacts: &[PathBuf]) -> Result<()> {
    println!(
        "build: {:<48} {:>10} {:>10}",
        "artefact", "bytes", "gzip -9"
    );
    let (mut raw_total, mut gzip_total) = (0, 0);
    for artefact in artefacts {
        let raw = fs::metadata(artefact)
            .with_context(|| format!("{} was not produced", artefact.display()))?
            .len();
        let gzip = gzip_size(artefact)?;
        raw_total += raw;
        gzip_total += gzip;
        let name = dist.join(artefact.strip_prefix(staging).unwrap_or(artefact));
        let name = name.strip_prefix(dist.parent().and_then(Path::parent).unwrap_or(dist));
        println!(
            "build: {:<48} {raw:>10} {gzip:>10}",
            name.unwrap_or(dist).display()
        );
    }
    println!("build: {:<48} {raw_total:>10} {gzip_total:>10}", "total");
    Ok(())
}

fn gzip_size(file: &Path) -> Result<u64> {
    let input = File::open(file).with_context(|| format!("could not open {}", file.display()))?;
    let output = process::output_bytes(Command::new("gzip").arg("-9c").stdin(input))?;
    Ok(output.len() as u64)
}
