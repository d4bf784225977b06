//! LL-HLS preload hints and rendition reports against the simulated live server, which holds
//! blocking playlist reloads and hinted parts until they exist, as LL-HLS origins do.
//! Target duration 2 s, parts of 0.5 s, PART-HOLD-BACK 1.5 s.

mod sim;

use std::collections::HashMap;

use player_core::hls::{Command, RenditionChoice};
use sim::{Exchange, LiveScript, Sim, LADDER};

const SEGMENT_S: f64 = 2.0;
const PART_S: f64 = 0.5;

fn ll_show(hints: bool, reports: bool, rtt_ms: f64) -> Sim {
    let mut script = LiveScript::new(6);
    script.part_s = Some(PART_S);
    script.preload_hints = hints;
    script.rendition_reports = reports;
    let mut sim = Sim::live(script, 5e6);
    sim.latency_ms = rtt_ms;
    sim.now = 60_000.0;
    sim.load_ladder();
    sim
}

/// `…/{rung}/{rung}-seg{msn}.part{k}.m4s` → (rung, msn, k).
fn part_of(url: &str) -> Option<(&str, u64, u64)> {
    let file = url.rsplit('/').next()?;
    let (rung, rest) = file.split_once("-seg")?;
    let (msn, rest) = rest.split_once(".part")?;
    let k = rest.strip_suffix(".m4s")?;
    Some((rung, msn.parse().ok()?, k.parse().ok()?))
}

/// When the show produced part `k` of segment `msn` (ms on the simulated clock): no playlist
/// can list it before then.
fn produced_ms(msn: u64, k: u64) -> f64 {
    (msn as f64 * SEGMENT_S + (k + 1) as f64 * PART_S) * 1000.0
}

fn part_exchanges(sim: &Sim) -> Vec<(&Exchange, (&str, u64, u64))> {
    sim.exchanges
        .iter()
        .filter_map(|e| Some((e, part_of(&e.url)?)))
        .collect()
}

/// Mean milliseconds from a part's production to its arrival at the player, over the parts
/// loaded after `from_ms`.
fn mean_part_delay(sim: &Sim, from_ms: f64) -> f64 {
    let delays: Vec<f64> = part_exchanges(sim)
        .into_iter()
        .filter(|(e, _)| e.sent_ms >= from_ms)
        .filter_map(|(e, (_, msn, k))| Some(e.done_ms? - produced_ms(msn, k)))
        .collect();
    assert!(delays.len() > 20, "only {} parts", delays.len());
    delays.iter().sum::<f64>() / delays.len() as f64
}

#[test]
fn hinted_parts_are_requested_before_any_playlist_lists_them_and_fetched_once() {
    let mut sim = ll_show(true, false, 100.0);
    sim.run_for(30_000.0);
    let parts = part_exchanges(&sim);
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (exchange, _) in &parts {
        *counts.entry(exchange.url.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "parts fetched more than once: {twice:?}");
    // Requested before the part existed, so before any playlist could list it.
    let early = parts
        .iter()
        .filter(|(e, (_, msn, k))| e.sent_ms < produced_ms(*msn, *k))
        .count();
    assert!(
        parts.len() > 40 && early * 10 >= parts.len() * 8,
        "{early} of {} parts requested from the hint",
        parts.len()
    );
    // A segment loaded part by part is not loaded again whole.
    for (exchange, (rung, msn, _)) in &parts {
        let whole = format!("{rung}-seg{msn:05}.m4s");
        assert!(
            !sim.fetched.iter().any(|u| u.ends_with(&whole)),
            "{whole} loaded whole after {}",
            exchange.url
        );
    }
    assert_eq!(sim.qoe.stall_ms, 0.0, "{:?}", sim.qoe);
    assert!(sim.last_error().is_none(), "{:?}", sim.last_error());
}

#[test]
fn preload_hints_bring_parts_a_round_trip_sooner() {
    let rtt = 150.0;
    let mut with_hints = ll_show(true, false, rtt);
    let mut without = ll_show(false, false, rtt);
    with_hints.run_for(40_000.0);
    without.run_for(40_000.0);
    let (hinted, listed) = (
        mean_part_delay(&with_hints, 65_000.0),
        mean_part_delay(&without, 65_000.0),
    );
    // Without a hint a part costs the blocking reload that lists it, then its own request.
    assert!(
        hinted <= listed - 0.8 * rtt,
        "part delay {hinted:.0} ms with hints, {listed:.0} ms without"
    );
    assert!(hinted < 2.0 * rtt, "part delay {hinted:.0} ms with hints");
    for sim in [&with_hints, &without] {
        assert_eq!(sim.qoe.stall_ms, 0.0, "{:?}", sim.qoe);
    }
}

/// The reported edge of `rung` in the query of a playlist request.
fn query_edge(url: &str) -> Option<(u64, u64)> {
    let (_, query) = url.split_once('?')?;
    let value = |name: &str| {
        query
            .split('&')
            .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))?
            .parse()
            .ok()
    };
    Some((value("_HLS_msn")?, value("_HLS_part")?))
}

/// Switches to another rendition: (the rendition left, the one switched to, when).
fn switch_rendition(sim: &mut Sim) -> (&'static str, &'static str, f64) {
    let from = sim.engine.current_rendition().expect("playing");
    let to = if from == 0 { 2 } else { 0 };
    let at = sim.now;
    sim.engine.set_rendition(RenditionChoice::Fixed(to), at);
    sim.drain();
    assert_eq!(sim.engine.current_rendition(), Some(to));
    (LADDER[from].name, LADDER[to].name, at)
}

fn first_playlist_request_of<'a>(sim: &'a Sim, rung: &str) -> &'a Exchange {
    let path = format!("/{rung}/index.m3u8");
    sim.exchanges
        .iter()
        .find(|e| e.url.contains(&path))
        .unwrap_or_else(|| panic!("{rung} playlist never requested"))
}

#[test]
fn a_switch_starts_with_a_blocking_reload_at_the_reported_edge() {
    let mut sim = ll_show(true, true, 100.0);
    sim.run_for(10_000.0);
    let (old, new, switched_at) = switch_rendition(&mut sim);
    sim.run_for(10_000.0);
    let first = first_playlist_request_of(&sim, new);
    assert!(
        first.sent_ms >= switched_at,
        "{new} was loaded before the switch"
    );
    let (msn, part) = query_edge(&first.url).unwrap_or_else(|| panic!("{}", first.url));
    // The report said where the edge was when the playlist switched from was written: the
    // last part published then, or the one before.
    let reported = msn * 4 + part;
    let published = (switched_at / 1000.0 / PART_S).floor() as u64 - 1;
    assert!(
        reported <= published && reported + 2 >= published,
        "reported part {msn}.{part}, the edge at the switch was {}.{}",
        published / 4,
        published % 4
    );
    assert!(
        !first.url.contains("_HLS_skip"),
        "no delta without a playlist"
    );
    // It is answered at once: the part it names already exists.
    let answered = first.done_ms.expect("answered") - first.sent_ms;
    assert!(answered < 300.0, "first playlist took {answered} ms");
    // The hint in flight for the old rendition is abandoned, and nothing of it arrives later.
    let late: Vec<_> = part_exchanges(&sim)
        .into_iter()
        .filter(|(e, (rung, ..))| *rung == old && e.done_ms.is_some_and(|d| d > switched_at))
        .map(|(e, _)| e.url.clone())
        .collect();
    assert!(
        late.is_empty(),
        "old rendition parts after the switch: {late:?}"
    );
    assert!(sim.commands.iter().any(|c| matches!(c, Command::Abort(_))));
    // And the new rendition plays on part by part, from its hints.
    let new_parts = part_exchanges(&sim)
        .into_iter()
        .filter(|(_, (rung, ..))| *rung == new)
        .count();
    assert!(new_parts > 10, "{new_parts} {new} parts");
    // A manual switch keeps only the segment playing; the report costs nothing on top.
    let mut plain = ll_show(true, false, 100.0);
    plain.run_for(10_000.0);
    switch_rendition(&mut plain);
    plain.run_for(10_000.0);
    assert!(
        sim.qoe.stall_ms <= plain.qoe.stall_ms,
        "stalled {} ms with the report, {} ms without",
        sim.qoe.stall_ms,
        plain.qoe.stall_ms
    );
}

#[test]
fn without_rendition_reports_a_switch_loads_the_plain_playlist() {
    let mut sim = ll_show(true, false, 100.0);
    sim.run_for(10_000.0);
    let (_, new, _) = switch_rendition(&mut sim);
    sim.run_for(5_000.0);
    let first = first_playlist_request_of(&sim, new);
    assert!(!first.url.contains('?'), "{}", first.url);
}

/// In a browser the engine's own seek (joining the live edge) comes back as a `seeking`
/// event after the downloads for that position have started; the driver passes it on as a
/// seek. A seek to where the engine already is must not abandon and repeat those downloads
/// (seen in Chromium as every startup segment and hinted part fetched twice).
#[test]
fn the_seeking_event_of_the_engines_own_join_does_not_refetch_what_is_in_flight() {
    let mut sim = ll_show(true, false, 100.0);
    let mut echoed = None;
    for _ in 0..200 {
        sim.run_for(10.0);
        let join = sim.commands.iter().find_map(|c| match c {
            Command::Seek(t) => Some(*t),
            _ => None,
        });
        let media_in_flight = sim
            .exchanges
            .iter()
            .any(|e| e.done_ms.is_none() && e.url.contains("-seg"));
        if let (Some(at), true) = (join, media_in_flight) {
            let before = sim.commands.len();
            sim.seek(at);
            echoed = Some(before);
            break;
        }
    }
    let before = echoed.expect("the engine joined the edge with media in flight");
    let aborts: Vec<_> = sim.commands[before..]
        .iter()
        .filter(|c| matches!(c, Command::Abort(_)))
        .collect();
    assert!(
        aborts.is_empty(),
        "the echo of the join seek aborted {aborts:?}"
    );
    sim.run_for(20_000.0);
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for url in sim.fetched.iter().filter(|u| !u.contains(".m3u8")) {
        *counts.entry(url.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "media fetched more than once: {twice:?}");
    assert_eq!(sim.qoe.stall_ms, 0.0, "{:?}", sim.qoe);
}
