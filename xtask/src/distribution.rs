//! The three ways the SDK ships, checked the way their users meet them (issue 7): the npm
//! tarball as `npm pack` makes it, installed into the Vite example, type-checked with strict
//! TypeScript and built by Vite; and the Shopify theme app extension with the built files in
//! its `assets/`, checked by Shopify's theme-check. The browser tests then load the results
//! (`tests/e2e/distribution.test.mjs`, `shopify-extension.test.mjs`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::{process, provision};

const PACKAGE_DIR: &str = "npm-package";
const VITE_EXAMPLE: &str = "examples/npm-vite";
const SHOPIFY_DIR: &str = "examples/shopify";
const SHOPIFY_EXTENSION: &str = "examples/shopify/extensions/shoppable-player";
/// What the extension's blocks load: the loader, which imports the rest from its own directory.
const SHOPIFY_ASSETS: &[&str] = &[
    "shoppable-player.js",
    "index.js",
    "shoppable_player_wasm.js",
    "shoppable_player_wasm_bg.wasm",
];

/// `npm pack` in npm-package (its `prepack` refuses a package without its built files), then
/// installs that tarball into the Vite example. Returns the tarball.
pub fn pack_and_install(root: &Path) -> Result<PathBuf> {
    let package = root.join(PACKAGE_DIR);
    let printed = process::output(
        Command::new("npm")
            .args(["pack", "--loglevel=error"])
            .current_dir(&package),
    )
    .context("npm pack failed")?;
    let name = printed
        .lines()
        .map(str::trim)
        .rfind(|line| line.ends_with(".tgz"))
        .context("npm pack did not name the tarball it wrote")?;
    let tarball = package.join(name);
    println!("distribution: packed {}", tarball.display());

    // The example depends on the tarball by path and keeps no lock file (an integrity hash of a
    // tarball rebuilt every run would make npm reuse its cached copy of an older build), so
    // removing the installed copy is what makes npm unpack this one.
    let example = root.join(VITE_EXAMPLE);
    let installed = example.join("node_modules/shoppable-player");
    if installed.exists() {
        fs::remove_dir_all(&installed)
            .with_context(|| format!("could not remove {}", installed.display()))?;
    }
    process::run(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&example),
    )
    .context("npm install of the packed tarball into examples/npm-vite failed")?;
    Ok(tarball)
}

/// `tsc --noEmit --strict` over the example app and its type contract (`typecheck/`), against
/// the declarations installed from the tarball.
pub fn typecheck(root: &Path) -> Result<()> {
    let example = root.join(VITE_EXAMPLE);
    process::run(
        Command::new(example.join("node_modules/.bin/tsc"))
            .args(["--noEmit", "--strict", "-p", "tsconfig.json"])
            .current_dir(&example),
    )
}

/// `vite build` into examples/npm-vite/dist, which the demo server serves at /npm-vite/dist/.
pub fn vite_build(root: &Path) -> Result<()> {
    let example = root.join(VITE_EXAMPLE);
    process::run(
        Command::new(example.join("node_modules/.bin/vite"))
            .args(["build", "--logLevel", "warn"])
            .current_dir(&example),
    )
}

/// Copies the built SDK into the extension's assets/ (git-ignored there), then runs
/// theme-check with Shopify's theme-app-extension rules; any error fails.
pub fn shopify_extension(root: &Path) -> Result<()> {
    provision::npm_dependencies(&root.join(SHOPIFY_DIR))?;
    let dist = root.join(PACKAGE_DIR).join("dist");
    let assets = root.join(SHOPIFY_EXTENSION).join("assets");
    fs::create_dir_all(&assets)
        .with_context(|| format!("could not create {}", assets.display()))?;
    for name in SHOPIFY_ASSETS {
        fs::copy(dist.join(name), assets.join(name))
            .with_context(|| format!("could not copy dist/{name} into {}", assets.display()))?;
    }
    process::run(
        Command::new("node")
            .args(["theme-check.mjs", "extensions/shoppable-player"])
            .current_dir(root.join(SHOPIFY_DIR)),
    )
}
