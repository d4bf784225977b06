//! LL-HLS at the live edge, beyond parts and blocking reloads: preload hints and rendition
//! reports (RFC 8216bis §4.4.5.3, §4.4.5.4, §6.2.5.2, §6.3.7).
//!
//! A preload hint names the part the server will publish next. Requesting it at once, instead
//! of after the playlist that lists it, saves a round trip on every part: the server holds
//! the request and answers as soon as the part exists. The request is an ordinary
//! [`Purpose::Part`] named by MSN and part index, so when a later playlist lists that part
//! the engine sees it already in flight (or loaded) and never fetches it twice.
//!
//! A rendition report says where another rendition's live edge is. On a rendition switch it
//! turns the new rendition's first playlist request into a blocking reload for that edge,
//! so a CDN cannot answer with an older cached playlist, and the new rendition carries on
//! from the same Media Sequence Number.

use super::{part_placement, Engine, Purpose, Request};
use crate::hls::command::{RequestId, RequestRange};
use crate::hls::playlist::{MediaPlaylist, PreloadHintType};
use crate::media::SegmentContext;

/// Hinted parts remembered to never request one twice; older ones have long been listed.
const REMEMBERED_HINTS: usize = 16;

/// A part requested from a preload hint, before any playlist listed it.
#[derive(Debug, Clone)]
struct HintedPart {
    level: usize,
    msn: u64,
    part: u32,
    /// The request, while it is in flight.
    request: Option<RequestId>,
    /// Where its media goes, worked out when it was requested: a playlist that has not
    /// listed it yet knows nothing else about it.
    context: SegmentContext,
    uri: String,
}

/// What the engine remembers of LL-HLS hints and reports.
#[derive(Debug, Clone, Default)]
pub(super) struct LowLatencyState {
    hinted: Vec<HintedPart>,
    /// The first playlist request of a rendition just switched to, from the rendition
    /// report of the playlist switched from: (level, URL with `_HLS_msn`/`_HLS_part`).
    switch_reload: Option<(usize, String)>,
}

impl Engine {
    /// Part `part` of segment `msn` is not listed yet. When the playlist's preload hint names
    /// it, requests it now and returns true (also while that request is in flight).
    pub(super) fn request_hinted_part(&mut self, level: usize, msn: u64, part: u32) -> bool {
        let known = self
            .low_latency
            .hinted
            .iter()
            .find(|h| (h.level, h.msn, h.part) == (level, msn, part));
        if let Some(hinted) = known {
            // Asked for once already: wait for that answer, or (after a failure) for the
            // playlist to list the part.
            return hinted.request.is_some();
        }
        let Some(playlist) = self.levels.get(level).and_then(|l| l.playlist.as_ref()) else {
            return false;
        };
        let Some((context, init_section, uri, range)) = hinted_part(playlist, msn, part) else {
            return false;
        };
        if self.awaiting_init(level, init_section) {
            return true;
        }
        let id = self.send_range(Purpose::Part { level, msn, part }, uri.clone(), range, 1);
        let hinted = &mut self.low_latency.hinted;
        if hinted.len() >= REMEMBERED_HINTS {
            hinted.remove(0);
        }
        hinted.push(HintedPart {
            level,
            msn,
            part,
            request: Some(id),
            context,
            uri,
        });
        true
    }

    /// Where a hinted part's media goes and its URL, for a part that arrived before any
    /// playlist listed it.
    pub(super) fn hinted_placement(
        &self,
        level: usize,
        msn: u64,
        part: u32,
    ) -> Option<(SegmentContext, String)> {
        self.low_latency
            .hinted
            .iter()
            .find(|h| (h.level, h.msn, h.part) == (level, msn, part))
            .map(|h| (h.context, h.uri.clone()))
    }

    /// A request finished (either way): it is no longer in flight as a hint.
    pub(super) fn hint_settled(&mut self, id: RequestId) {
        for hinted in &mut self.low_latency.hinted {
            if hinted.request == Some(id) {
                hinted.request = None;
            }
        }
    }

    /// True when `request` was a preload hint. A hint is only a guess at what comes next (the
    /// server may change its mind, or not block): its failure is not retried, and the part
    /// is loaded as usual once a playlist lists it.
    pub(super) fn is_hint(&self, request: &Request) -> bool {
        self.low_latency
            .hinted
            .iter()
            .any(|h| h.request == Some(request.id))
    }

    /// Hints requested for a rendition that is no longer current are abandoned: their parts
    /// would be appended after the switch.
    pub(super) fn abandon_hints_except(&mut self, level: usize) {
        let stale: Vec<RequestId> = self
            .low_latency
            .hinted
            .iter()
            .filter(|h| h.level != level)
            .filter_map(|h| h.request)
            .collect();
        for id in stale {
            self.abort(id);
            self.hint_settled(id);
        }
    }

    /// A switch from `from` to `to`: remember the blocking reload the rendition report of
    /// `from`'s playlist makes possible for `to`.
    pub(super) fn prepare_switch_reload(&mut self, from: Option<usize>, to: usize) {
        self.low_latency.switch_reload = None;
        if !self.config.live.low_latency || self.live.is_none() {
            return;
        }
        let Some(from) = from.and_then(|f| self.levels.get(f)?.playlist.as_ref()) else {
            return;
        };
        let Some(target) = self.levels.get(to) else {
            return;
        };
        if let Some(url) = report_reload_url(from, &target.uri) {
            self.low_latency.switch_reload = Some((to, url));
        }
    }

    /// The URL of the next playlist request of `level`: the one a rendition report made for a
    /// switch to it, once; else `None` for the usual one.
    pub(super) fn take_switch_reload(&mut self, level: usize) -> Option<String> {
        match &self.low_latency.switch_reload {
            Some((to, _)) if *to == level => self.low_latency.switch_reload.take().map(|(_, u)| u),
            _ => None,
        }
    }
}

/// The preload hint of `playlist` when it names part `part` of segment `msn`: where that
/// part's media goes, its init section, URI and the bytes to ask for.
///
/// A hint always names the part after the last one listed (§4.4.5.3). Its length is unknown:
/// the placement is its start, which is all appending needs.
fn hinted_part(
    playlist: &MediaPlaylist,
    msn: u64,
    part: u32,
) -> Option<(SegmentContext, Option<u32>, String, Option<RequestRange>)> {
    let next = (playlist.next_media_sequence(), playlist.pending_parts.len());
    if (msn, usize::try_from(part).ok()?) != next || playlist.part_inf.is_none() {
        return None;
    }
    let hint = playlist
        .preload_hints
        .iter()
        .find(|h| h.hint_type == PreloadHintType::Part)?;
    let range = match (hint.byte_range_start, hint.byte_range_length) {
        (None, None) => None,
        (start, Some(length)) => Some(RequestRange {
            offset: start.unwrap_or(0),
            length: Some(length),
        }),
        (Some(start), None) => {
            // Parts cut out of one growing segment: an open range is the rest of that segment,
            // which the server sends as it is made. A driver that hands over whole bodies
            // would get it only when the segment is complete — later than the listed part —
            // so such a hint is left for the playlist to list.
            if parts_are_byte_ranges(playlist) {
                return None;
            }
            Some(RequestRange {
                offset: start,
                length: None,
            })
        }
    };
    let last = playlist.segments.last();
    let start = last.map_or(0.0, |s| s.start + s.duration)
        + playlist
            .pending_parts
            .iter()
            .map(|p| p.duration)
            .sum::<f64>();
    // The next part of the segment in progress continues its timeline. (A discontinuity at
    // a segment that has not begun would only be known from its playlist; the transmuxer
    // places media by its own timestamps within a discontinuity sequence.)
    let context = SegmentContext {
        start,
        discontinuity_sequence: last.map_or(playlist.discontinuity_sequence, |s| {
            s.discontinuity_sequence
        }),
    };
    let init_section = last.and_then(|s| s.init_section);
    Some((context, init_section, hint.uri.clone(), range))
}

/// Whether the playlist's recent parts are byte ranges of their segments' resources.
fn parts_are_byte_ranges(playlist: &MediaPlaylist) -> bool {
    let last_segment_parts = playlist.segments.last().map(|s| s.parts.as_slice());
    playlist
        .pending_parts
        .iter()
        .chain(last_segment_parts.unwrap_or_default())
        .any(|p| p.byte_range.is_some())
}

/// The blocking reload of the rendition at `target_uri`, from `from`'s rendition report for
/// it: `_HLS_msn=LAST-MSN&_HLS_part=LAST-PART`, the edge `from` says it has reached.
fn report_reload_url(from: &MediaPlaylist, target_uri: &str) -> Option<String> {
    let control = from.server_control.as_ref()?;
    if !control.can_block_reload {
        return None;
    }
    let without_query = |u: &str| u.split(['?', '#']).next().unwrap_or(u).to_owned();
    let report = from
        .rendition_reports
        .iter()
        .find(|r| r.uri == target_uri)
        .or_else(|| {
            let target = without_query(target_uri);
            from.rendition_reports
                .iter()
                .find(|r| without_query(&r.uri) == target)
        })?;
    let msn = report.last_msn?;
    let mut query = format!("_HLS_msn={msn}");
    if let (Some(part), Some(_)) = (report.last_part, from.part_inf) {
        query.push_str(&format!("&_HLS_part={part}"));
    }
    let separator = if target_uri.contains('?') { '&' } else { '?' };
    Some(format!("{target_uri}{separator}{query}"))
}

/// Part `part` of segment `msn` as listed, else as hinted: for a part that arrived.
pub(super) fn listed_or_hinted(
    engine: &Engine,
    level: usize,
    msn: u64,
    part: u32,
) -> Option<(SegmentContext, String)> {
    let playlist = engine.levels.get(level)?.playlist.as_ref();
    playlist
        .and_then(|p| part_placement(p, msn, part))
        .map(|(context, _, uri, _)| (context, uri))
        .or_else(|| engine.hinted_placement(level, msn, part))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hls::playlist::{parse_playlist, Playlist};

    fn media(text: &str) -> MediaPlaylist {
        match parse_playlist(text, "https://cdn.test/live/a/index.m3u8") {
            Ok(Playlist::Media(media)) => media,
            other => panic!("not a media playlist: {other:?}"),
        }
    }

    const HEAD: &str = "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n\
        #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5\n\
        #EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-MEDIA-SEQUENCE:10\n";

    #[test]
    fn a_hint_for_the_part_after_the_last_listed_one_is_placed_after_it() {
        let text = format!(
            "{HEAD}#EXTINF:2.0,\ns10.ts\n#EXT-X-PART:DURATION=0.5,URI=\"p11.0.ts\"\n\
             #EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p11.1.ts\"\n"
        );
        let playlist = media(&text);
        let (context, _, uri, range) = hinted_part(&playlist, 11, 1).expect("hinted");
        assert_eq!(uri, "https://cdn.test/live/a/p11.1.ts");
        assert_eq!(range, None);
        assert!((context.start - 2.5).abs() < 1e-9, "{}", context.start);
        // Only the next part is hinted.
        assert!(hinted_part(&playlist, 11, 2).is_none());
        assert!(hinted_part(&playlist, 11, 0).is_none());
    }

    #[test]
    fn hint_byte_ranges_become_request_ranges() {
        let bounded = format!(
            "{HEAD}#EXTINF:2.0,\ns10.ts\n\
             #EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"s11.mp4\",BYTERANGE-START=0,BYTERANGE-LENGTH=900\n"
        );
        let range = hinted_part(&media(&bounded), 11, 0).and_then(|h| h.3);
        assert_eq!(
            range,
            Some(RequestRange {
                offset: 0,
                length: Some(900)
            })
        );
        // Open-ended on a part of its own: the rest of that resource is the part.
        let open = format!(
            "{HEAD}#EXTINF:2.0,\ns10.ts\n#EXT-X-PART:DURATION=0.5,URI=\"p11.0.ts\"\n\
             #EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p11.1.ts\",BYTERANGE-START=188\n"
        );
        let range = hinted_part(&media(&open), 11, 1).and_then(|h| h.3);
        assert_eq!(range.map(|r| r.http_range()), Some("bytes=188-".into()));
        // Open-ended within a growing segment: left for the playlist to list.
        let growing = format!(
            "{HEAD}#EXTINF:2.0,\ns10.ts\n\
             #EXT-X-PART:DURATION=0.5,URI=\"s11.ts\",BYTERANGE=\"1000@0\"\n\
             #EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"s11.ts\",BYTERANGE-START=1000\n"
        );
        assert!(hinted_part(&media(&growing), 11, 1).is_none());
    }

    #[test]
    fn a_rendition_report_becomes_a_blocking_reload_of_its_rendition() {
        let text = format!(
            "{HEAD}#EXTINF:2.0,\ns10.ts\n\
             #EXT-X-RENDITION-REPORT:URI=\"../b/index.m3u8\",LAST-MSN=11,LAST-PART=2\n"
        );
        let playlist = media(&text);
        assert_eq!(
            report_reload_url(&playlist, "https://cdn.test/live/b/index.m3u8").as_deref(),
            Some("https://cdn.test/live/b/index.m3u8?_HLS_msn=11&_HLS_part=2")
        );
        assert_eq!(
            report_reload_url(&playlist, "https://cdn.test/live/b/index.m3u8?token=x").as_deref(),
            Some("https://cdn.test/live/b/index.m3u8?token=x&_HLS_msn=11&_HLS_part=2")
        );
        assert!(report_reload_url(&playlist, "https://cdn.test/live/c/index.m3u8").is_none());
    }
}
