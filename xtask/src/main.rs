//! `cargo xtask …`: everything a contributor or CI needs beyond plain `cargo`, so that a fresh
//! machine goes from clone to demo or to a full test run with one command.

mod bench;
mod build;
mod live;
mod provision;
mod server;
mod soak;
mod test_suite;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
// In the library so that xtask's integration tests can call them; imported here under the
// names the other modules use (`crate::fixtures`, `crate::process`).
use xtask::{fixtures, inspect, process, transmux};

const USAGE: &str = "\
Usage: cargo xtask <command> [options]

Commands:
  demo [--port N]      provision, fixtures, build, then serve the demo store (default port 8080)
  test [--e2e-only] [--filter PATTERN]
                       provision, fixtures, build, then run native and browser tests;
                       --filter selects browser tests by name (node --test-name-pattern)
  soak [--minutes N] [--cycles N]
                       the long soak: looping playback (default 30 min) and player
                       create/destroy cycles (default 300) in Chromium; figures in target/soak.json
  build                build the SDK into npm-package/dist
  fixtures             generate the test and demo streams into tests/fixtures/streams
  serve [--port N]     serve dist, streams, test pages and examples (--port 0: any free port)
  provision            install what is missing: wasm target, wasm-bindgen, system and npm packages
  bench [--smoke]      measure us against hls.js and mux.js; writes target/bench.json and
                       docs/benchmarks.md (--smoke: tiny inputs, checks the bench only)
  inspect <file>       print what the engine makes of a playlist, MPEG-TS or fMP4 file, as JSON;
                       a demo-server path such as /streams/vod-ts/master.m3u8 works too
  transmux <in.ts>... -o <out.mp4>   (or: transmux <in.ts> <out.mp4>)
                       transmux TS segments in sequence with the engine into one fMP4 file for
                       ffprobe; a media playlist (.m3u8) as input loads its segments as the
                       player does (byte ranges, AES-128, discontinuities). A new init segment
                       mid-way starts a new file: out.2.mp4, …
";

/// The default demo port, as the README promises.
const DEFAULT_PORT: u16 = 8080;

enum Command {
    Demo { port: u16 },
    Test(test_suite::Options),
    Soak(soak::Options),
    Build,
    Fixtures,
    Serve { port: u16 },
    Provision,
    Bench(bench::Options),
    Inspect { path: String },
    Transmux { inputs: Vec<String>, output: String },
    Help,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match parse(&args) {
        Ok(command) => command,
        Err(error) => {
            eprintln!("error: {error}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(command) {
        Ok(()) => ExitCode::SUCCESS,
        // The cause chain, without the backtrace anyhow adds under RUST_BACKTRACE: these errors
        // are about the machine or the project, not about xtask's own code.
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<()> {
    let root = workspace_root();
    match command {
        Command::Demo { port } => {
            provision::for_demo(&root)?;
            fixtures::generate(&root)?;
            build::sdk(&root)?;
            server::run_until_ctrl_c(&root, port, |port| {
                println!("Demo: http://127.0.0.1:{port}/")
            })
        }
        Command::Test(options) => test_suite::run(&root, &options),
        Command::Soak(options) => soak::run(&root, &options),
        Command::Build => {
            provision::for_build(&root)?;
            build::sdk(&root)
        }
        Command::Fixtures => {
            provision::for_fixtures()?;
            fixtures::generate(&root)
        }
        Command::Serve { port } => server::run_until_ctrl_c(&root, port, |port| {
            println!("Serving http://127.0.0.1:{port}/ (Ctrl-C stops)")
        }),
        Command::Provision => provision::everything(&root),
        Command::Bench(options) => bench::run(&root, &options),
        Command::Inspect { path } => {
            let report = inspect::inspect(&inspect::resolve(&root, &path)?)?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Command::Transmux { inputs, output } => run_transmux(&root, &inputs, &output),
        Command::Help => {
            print!("{USAGE}");
            Ok(())
        }
    }
}

fn parse(args: &[String]) -> Result<Command> {
    let Some((name, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    let mut flags = Flags::new(rest);
    let command = match name.as_str() {
        "demo" => Command::Demo {
            port: flags.port()?.unwrap_or(DEFAULT_PORT),
        },
        "serve" => Command::Serve {
            port: flags.port()?.unwrap_or(DEFAULT_PORT),
        },
        "test" => Command::Test(test_suite::Options {
            e2e_only: flags.switch("--e2e-only"),
            filter: flags.value("--filter")?,
        }),
        "soak" => {
            let defaults = soak::Options::default();
            let number = |flag: &str, value: Option<String>| -> Result<Option<u64>> {
                value
                    .map(|v| {
                        v.parse()
                            .with_context(|| format!("`{flag} {v}` is not a whole number"))
                    })
                    .transpose()
            };
            let minutes = number("--minutes", flags.value("--minutes")?)?;
            let cycles = number("--cycles", flags.value("--cycles")?)?;
            Command::Soak(soak::Options {
                minutes: minutes.unwrap_or(defaults.minutes),
                cycles: cycles.map_or(Ok(defaults.cycles), u32::try_from)?,
            })
        }
        "build" => Command::Build,
        "fixtures" => Command::Fixtures,
        "provision" => Command::Provision,
        "bench" => Command::Bench(bench::Options {
            smoke: flags.switch("--smoke"),
        }),
        "inspect" => match flags.positionals().as_slice() {
            [path] => Command::Inspect { path: path.clone() },
            _ => bail!("`inspect` takes one file"),
        },
        "transmux" => {
            let output = match flags.value("-o")? {
                Some(output) => Some(output),
                None => flags.value("--output")?,
            };
            let mut inputs = flags.positionals();
            let output = match output {
                Some(output) => output,
                // The two-argument form `transmux in.ts out.mp4`.
                None if inputs.len() == 2 && inputs[1].ends_with(".mp4") => {
                    inputs.pop().unwrap_or_default()
                }
                None => bail!("`transmux` needs an output: -o out.mp4"),
            };
            if inputs.is_empty() {
                bail!("`transmux` needs at least one input file");
            }
            Command::Transmux { inputs, output }
        }
        "help" | "-h" | "--help" => Command::Help,
        other => bail!("unknown command `{other}`"),
    };
    flags.finish()?;
    Ok(command)
}

/// A hand-rolled flag reader: the handful of options here do not justify compiling a CLI crate
/// on every fresh CI clone.
struct Flags<'a> {
    rest: Vec<&'a str>,
}

impl<'a> Flags<'a> {
    fn new(args: &'a [String]) -> Self {
        Self {
            rest: args.iter().map(String::as_str).collect(),
        }
    }

    fn switch(&mut self, name: &str) -> bool {
        let before = self.rest.len();
        self.rest.retain(|arg| *arg != name);
        self.rest.len() != before
    }

    /// Accepts both `--name value` and `--name=value`.
    fn value(&mut self, name: &str) -> Result<Option<String>> {
        let Some(index) = self.rest.iter().position(|arg| {
            *arg == name || arg.strip_prefix(name).is_some_and(|r| r.starts_with('='))
        }) else {
            return Ok(None);
        };
        let arg = self.rest.remove(index);
        if let Some(value) = arg.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            return Ok(Some(value.to_owned()));
        }
        if index >= self.rest.len() {
            bail!("`{name}` needs a value");
        }
        Ok(Some(self.rest.remove(index).to_owned()))
    }

    /// Takes every argument that is not a flag, in order.
    fn positionals(&mut self) -> Vec<String> {
        let (flags, positionals): (Vec<&str>, Vec<&str>) =
            self.rest.iter().partition(|arg| arg.starts_with('-'));
        self.rest = flags;
        positionals.into_iter().map(str::to_owned).collect()
    }

    fn port(&mut self) -> Result<Option<u16>> {
        self.value("--port")?
            .map(|port| {
                port.parse()
                    .with_context(|| format!("`--port {port}` is not a port number (0-65535)"))
            })
            .transpose()
    }

    fn finish(self) -> Result<()> {
        match self.rest.first() {
            Some(arg) => bail!("unexpected argument `{arg}`"),
            None => Ok(()),
        }
    }
}

/// `cargo xtask transmux`: writes the files and prints what each holds, so the result can be
/// judged before reaching for ffprobe.
fn run_transmux(root: &Path, inputs: &[String], output: &str) -> Result<()> {
    let paths = inputs
        .iter()
        .map(|input| inspect::resolve(root, input))
        .collect::<Result<Vec<_>>>()?;
    let transmuxed = match paths.as_slice() {
        [playlist] if playlist.extension().is_some_and(|e| e == "m3u8") => {
            let (_, segments) = transmux::load_media_playlist(playlist)?;
            transmux::transmux_segments(&segments)?
        }
        _ => transmux::transmux_files(&paths)?,
    };
    let written = transmux::write_periods(&transmuxed.periods, Path::new(output))?;
    for (period, path) in transmuxed.periods.iter().zip(&written) {
        let tracks = inspect::mp4::tracks(&period.init)?;
        let samples = inspect::mp4::fragment_samples(&period.fragments, &tracks)?;
        let first = &transmuxed.segments[period.segments.start];
        let last = &transmuxed.segments[period.segments.end - 1];
        println!(
            "{}: {} segment(s), {:.3}-{:.3} s, codecs {}",
            path.display(),
            period.segments.len(),
            first.start,
            last.end,
            first.codecs
        );
        for track in &tracks {
            let count = samples.get(&track.id).map_or(0, |s| s.samples);
            println!(
                "  track {} ({}): {count} samples",
                track.id, track.sample_entry
            );
        }
    }
    for (index, segment) in transmuxed.segments.iter().enumerate() {
        for warning in &segment.warnings {
            println!("warning: segment {}: {warning}", index + 1);
        }
    }
    Ok(())
}

/// xtask always lives one level below the workspace root, whatever the caller's directory.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask's manifest directory has a parent")
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_args(args: &[&str]) -> Result<Command> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        parse(&args)
    }

    #[test]
    fn port_accepts_both_spellings_and_defaults_to_8080() {
        assert!(matches!(
            parse_args(&["serve", "--port", "0"]),
            Ok(Command::Serve { port: 0 })
        ));
        assert!(matches!(
            parse_args(&["demo", "--port=9000"]),
            Ok(Command::Demo { port: 9000 })
        ));
        assert!(matches!(
            parse_args(&["demo"]),
            Ok(Command::Demo { port: 8080 })
        ));
    }

    #[test]
    fn test_options_are_read_in_any_order() {
        let Ok(Command::Test(options)) = parse_args(&["test", "--filter", "cart", "--e2e-only"])
        else {
            panic!("test command not parsed");
        };
        assert!(options.e2e_only);
        assert_eq!(options.filter.as_deref(), Some("cart"));
    }

    #[test]
    fn soak_defaults_to_half_an_hour_and_three_hundred_cycles() {
        let Ok(Command::Soak(options)) = parse_args(&["soak"]) else {
            panic!("soak not parsed");
        };
        assert_eq!((options.minutes, options.cycles), (30, 300));
        let Ok(Command::Soak(options)) = parse_args(&["soak", "--cycles=5", "--minutes", "2"])
        else {
            panic!("soak options not parsed");
        };
        assert_eq!((options.minutes, options.cycles), (2, 5));
        assert!(parse_args(&["soak", "--minutes", "half"]).is_err());
    }

    #[test]
    fn transmux_takes_inputs_then_output_in_either_form() {
        let Ok(Command::Transmux { inputs, output }) =
            parse_args(&["transmux", "a.ts", "-o", "out.mp4", "b.ts"])
        else {
            panic!("transmux -o not parsed");
        };
        assert_eq!(
            (inputs, output.as_str()),
            (vec!["a.ts".into(), "b.ts".into()], "out.mp4")
        );
        let Ok(Command::Transmux { inputs, output }) = parse_args(&["transmux", "a.ts", "x.mp4"])
        else {
            panic!("transmux in out not parsed");
        };
        assert_eq!((inputs, output.as_str()), (vec!["a.ts".into()], "x.mp4"));
        assert!(parse_args(&["transmux", "a.ts", "b.ts"]).is_err());
        assert!(parse_args(&["transmux", "-o", "out.mp4"]).is_err());
        assert!(parse_args(&["inspect"]).is_err());
        assert!(parse_args(&["inspect", "a.ts", "b.ts"]).is_err());
        assert!(parse_args(&["inspect", "a.ts", "--json"]).is_err());
    }

    #[test]
    fn mistakes_are_reported_not_ignored() {
        assert!(parse_args(&["serve", "--port", "http"]).is_err());
        assert!(parse_args(&["serve", "--port"]).is_err());
        assert!(parse_args(&["build", "--release"]).is_err());
        assert!(parse_args(&["deploy"]).is_err());
    }
}
