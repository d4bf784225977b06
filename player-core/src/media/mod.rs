//! Media: MPEG-TS demuxing, H.264 and AAC parsing, ID3 timed metadata and fragmented-MP4
//! muxing — the transmuxer that lets browsers without native HLS play TS segments through
//! Media Source Extensions.
//!
//! Layers, bottom up: `ts` finds PES packets in 188-byte TS packets; `h264`, `adts` and
//! `id3` parse what the PES packets carry; `timeline` maps 90 kHz timestamps onto the
//! playlist timeline; `fmp4` writes the boxes; [`Transmuxer`] ties them together.
//! `isobmff` reads boxes back, for streams that already are fMP4 and pass through.
//! `decrypt` (AES-128 segment decryption) runs before all of this.

mod adts;
mod bits;
pub mod decrypt;
mod error;
mod fmp4;
mod h264;
mod id3;
mod isobmff;
#[cfg(test)]
mod test_stream;
mod timeline;
mod transmux;
mod ts;

pub use bits::BitsError;
pub use error::{Id3Error, Mp4Error, SpsError, TransmuxError};
pub use id3::{parse_id3, Id3Frame};
pub use isobmff::{codecs_from_init_segment, looks_like_mp4};
pub use transmux::{Fmp4Placement, SegmentContext, TimedMetadata, TransmuxedSegment, Transmuxer};
