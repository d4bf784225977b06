//! Arbitrary bytes → the MPEG-TS → fMP4 transmuxer (and the fMP4 passthrough and AES-128
//! paths the engine puts in front of it). Never a panic; a healthy segment after garbage still
//! transmuxes, so no state is left broken.
#![no_main]

use libfuzzer_sys::fuzz_target;
use player_core::media::decrypt::decrypt_segment;
use player_core::media::{codecs_from_init_segment, SegmentContext, Transmuxer};

fuzz_target!(|data: &[u8]| {
    let mut transmuxer = Transmuxer::new();
    let first = SegmentContext { start: 0.0, discontinuity_sequence: 0 };
    let _ = transmuxer.transmux(data, first);
    // The same bytes again as the next segment, then as a new discontinuity: exercises the
    // timeline's continuity and re-anchoring on whatever state the first call left.
    let _ = transmuxer.transmux(data, SegmentContext { start: 2.0, discontinuity_sequence: 0 });
    let _ = transmuxer.transmux(data, SegmentContext { start: 4.0, discontinuity_sequence: 1 });
    let _ = transmuxer.set_init_segment(data);
    // As an fMP4 media segment placed after whatever init the bytes gave.
    let _ = transmuxer.place_fmp4(data, SegmentContext { start: 6.0, discontinuity_sequence: 2 });
    let _ = codecs_from_init_segment(data);
    let _ = decrypt_segment(&[7; 16], &[9; 16], data);
});
