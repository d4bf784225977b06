//! Timed metadata carried by the stream — `EXT-X-DATERANGE` tags in the playlist and ID3 frames
//! in the segments — placed on the media timeline as cues.
//!
//! The engine does not know what a product is: it hands every cue to the application, which
//! picks the classes it understands (`com.shoppable.product`, ID3 `TXXX` "shoppable").

use crate::hls::playlist::{ClientAttribute, MediaPlaylist};
use crate::media::{Id3Frame, TimedMetadata};

/// What a cue carries.
#[derive(Debug, Clone, PartialEq)]
pub enum MetadataPayload {
    /// An `EXT-X-DATERANGE`: its `CLASS` and its `X-` attributes.
    DateRange {
        class: Option<String>,
        attributes: Vec<ClientAttribute>,
    },
    /// An ID3 text frame: `TXXX` description and value (or a `T***` frame id and value).
    Id3Text { description: String, value: String },
}

/// A piece of timed metadata on the media timeline, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct MetadataCue {
    /// Stable across playlist reloads, so a cue is reported once.
    pub id: String,
    pub start: f64,
    /// `None`: open-ended (the application decides how long it lasts).
    pub end: Option<f64>,
    pub payload: MetadataPayload,
}

/// The playlist's date ranges as cues. Dates map to media time through the segments'
/// `EXT-X-PROGRAM-DATE-TIME`; ranges in a playlist without one cannot be placed and are skipped.
pub fn date_range_cues(playlist: &MediaPlaylist) -> Vec<MetadataCue> {
    let Some((anchor_date, anchor_time)) = (0..playlist.segments.len())
        .find_map(|i| Some((playlist.date_time_of(i)?, playlist.segments[i].start)))
    else {
        return Vec::new();
    };
    let to_media_time = |date: crate::hls::playlist::DateTime| {
        anchor_time + (date.unix_millis() - anchor_date.unix_millis()) as f64 / 1000.0
    };
    playlist
        .date_ranges
        .iter()
        .filter_map(|range| {
            let start = to_media_time(range.start_date?);
            let end = range
                .end()
                .map(to_media_time)
                .or_else(|| range.planned_duration.map(|d| start + d));
            let attributes = range.client_attributes.clone();
            Some(MetadataCue {
                id: format!("daterange:{}", range.id),
                start,
                end,
                payload: MetadataPayload::DateRange {
                    class: range.class.clone(),
                    attributes,
                },
            })
        })
        .collect()
}

/// ID3 text frames found by the transmuxer, as open-ended cues.
pub fn id3_cues(found: &[TimedMetadata]) -> Vec<MetadataCue> {
    let mut cues = Vec::new();
    for metadata in found {
        for frame in &metadata.frames {
            let (description, value) = match frame {
                Id3Frame::Txxx { description, value } => (description.clone(), value.clone()),
                Id3Frame::Text { id, value } => (id.clone(), value.clone()),
                _ => continue,
            };
            // Time in milliseconds is unique enough: one cue per frame per moment.
            let id = format!(
                "id3:{}:{description}",
                (metadata.time * 1000.0).round() as i64
            );
            let payload = MetadataPayload::Id3Text { description, value };
            cues.push(MetadataCue {
                id,
                start: metadata.time,
                end: None,
                payload,
            });
        }
    }
    cues
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hls::playlist::{parse_playlist, Playlist};

    #[test]
    fn product_date_ranges_land_on_the_media_timeline() {
        let text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n\
            #EXT-X-PROGRAM-DATE-TIME:2026-11-22T10:00:00.000Z\n\
            #EXT-X-DATERANGE:ID=\"m1\",CLASS=\"com.shoppable.product\",START-DATE=\"2026-11-22T10:00:05.000Z\",DURATION=8.5,X-PRODUCT-ID=\"tee\"\n\
            #EXT-X-DATERANGE:ID=\"m2\",CLASS=\"com.shoppable.product\",START-DATE=\"2026-11-22T10:00:01.500Z\",X-PRODUCT-ID=\"tote\"\n\
            #EXTINF:2.0,\na.ts\n#EXTINF:2.0,\nb.ts\n";
        let Ok(Playlist::Media(mut p)) = parse_playlist(text, "https://cdn.test/l.m3u8") else {
            panic!("did not parse");
        };
        // As if this window sat 100 s into the show's timeline.
        for s in &mut p.segments {
            s.start += 100.0;
        }
        let cues = date_range_cues(&p);
        assert_eq!(cues.len(), 2);
        assert_eq!(cues[0].id, "daterange:m1");
        assert_eq!((cues[0].start, cues[0].end), (105.0, Some(113.5)));
        assert_eq!((cues[1].start, cues[1].end), (101.5, None));
        let MetadataPayload::DateRange { class, attributes } = &cues[0].payload else {
            panic!("not a date range");
        };
        assert_eq!(class.as_deref(), Some("com.shoppable.product"));
        assert_eq!(attributes.len(), 1);
        assert_eq!(attributes[0].name, "X-PRODUCT-ID");
        assert_eq!(attributes[0].value.as_str(), Some("tee"));
    }

    #[test]
    fn date_ranges_without_program_date_time_cannot_be_placed() {
        let text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n\
            #EXT-X-DATERANGE:ID=\"m1\",START-DATE=\"2026-11-22T10:00:05.000Z\"\n#EXTINF:2.0,\na.ts\n";
        let Ok(Playlist::Media(p)) = parse_playlist(text, "https://cdn.test/l.m3u8") else {
            panic!("did not parse");
        };
        assert!(date_range_cues(&p).is_empty());
    }

    #[test]
    fn id3_text_frames_become_cues() {
        let found = [TimedMetadata {
            time: 12.25,
            frames: vec![
                Id3Frame::Txxx {
                    description: "shoppable".into(),
                    value: "{\"product\":\"tote\"}".into(),
                },
                Id3Frame::Priv {
                    owner: "x".into(),
                    data: vec![1],
                },
            ],
        }];
        let cues = id3_cues(&found);
        assert_eq!(cues.len(), 1);
        assert_eq!(cues[0].start, 12.25);
        assert_eq!(
            cues[0].payload,
            MetadataPayload::Id3Text {
                description: "shoppable".into(),
                value: "{\"product\":\"tote\"}".into()
            }
        );
    }
}
