//! Inputs found by `cargo fuzz` (fuzz/), kept as regression tests. Each file in
//! `tests/corpus/fuzz/` goes through the same checks as the fuzz target: parsing never panics,
//! and whatever parses prints as text that parses back to an equal playlist.

use std::fs;
use std::path::Path;

use player_core::hls::playlist::{parse_playlist, Playlist};

const BASE: &str = "https://fuzz.example/a/b/index.m3u8?x=1&token=t%20k";

fn check(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    let Ok(parsed) = parse_playlist(&text, BASE) else {
        return Ok(());
    };
    let defines = match &parsed {
        Playlist::Media(m) => &m.defines,
        Playlist::Multivariant(m) => &m.defines,
    };
    if defines.iter().any(|d| d.value.contains("{$")) {
        return Ok(());
    }
    let printed = parsed.to_string();
    match parse_playlist(&printed, BASE) {
        Ok(reparsed) if reparsed == parsed => Ok(()),
        Ok(reparsed) => Err(format!("changed:\n{printed}\n{parsed:?}\n{reparsed:?}")),
        Err(e) => Err(format!("printed playlist does not parse: {e}\n{printed}")),
    }
}

#[test]
fn fuzz_findings_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/fuzz");
    let mut count = 0;
    for entry in fs::read_dir(&dir).expect("tests/corpus/fuzz exists") {
        let path = entry.expect("directory entry").path();
        let data = fs::read(&path).expect("readable fuzz input");
        if let Err(message) = check(&data) {
            panic!("{}: {message}", path.display());
        }
        count += 1;
    }
    assert!(count > 0, "no regression inputs found in {}", dir.display());
}

/// The first finding, minimised: a reference before the `EXT-X-DEFINE` was literal text, but
/// the writer prints definitions first, so the printed playlist substituted it.
#[test]
fn reference_before_define_is_an_error_not_text() {
    let text = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:2,\n{$h}/s.ts\n#EXT-X-DEFINE:NAME=\"h\",VALUE=\"https://h\"\n";
    let e = parse_playlist(text, BASE).expect_err("undefined at its point of use");
    assert_eq!(e.line, 4);
    assert!(check(text.as_bytes()).is_ok());
}
