//! Typed errors of the media layer. Every variant says where the bad input was: the index of
//! the 188-byte TS packet, the byte offset in the segment, the PID, or the byte offset of a box.

use thiserror::Error;

use super::bits::BitsError;

/// Why a segment could not be transmuxed, or (in [`TransmuxedSegment::warnings`]) what was
/// repaired or skipped on the way.
///
/// [`TransmuxedSegment::warnings`]: super::TransmuxedSegment::warnings
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransmuxError {
    /// Not one TS sync byte (0x47) repeating every 188 bytes.
    #[error("not an MPEG-TS segment: no sync byte pattern in {len} bytes")]
    NoSync { len: usize },
    /// The 188-byte grid broke; demuxing resumed at the next sync pattern.
    #[error("MPEG-TS sync lost at byte {offset}")]
    LostSync { offset: usize },
    /// A packet whose transport_error_indicator is set was skipped.
    #[error("TS packet {packet} (PID {pid:#06x}) flagged as corrupt by the transport")]
    TransportError { packet: usize, pid: u16 },
    /// A packet's adaptation field claims more bytes than the packet has.
    #[error("TS packet {packet} (PID {pid:#06x}) has an adaptation field of {len} bytes")]
    BadAdaptationField { packet: usize, pid: u16, len: u8 },
    /// The continuity counter skipped: packets were lost. Tolerated.
    #[error("continuity counter on PID {pid:#06x} jumped at packet {packet}: expected {expected}, got {got}")]
    Continuity {
        pid: u16,
        packet: usize,
        expected: u8,
        got: u8,
    },
    /// A PAT or PMT section could not be used.
    #[error("bad PSI section on PID {pid:#06x} at packet {packet}: {reason}")]
    BadSection {
        pid: u16,
        packet: usize,
        reason: &'static str,
    },
    /// No PAT/PMT was found (in this segment or an earlier one).
    #[error("no program map (PAT/PMT) found in the segment")]
    NoProgram,
    /// The program has no stream this transmuxer understands.
    #[error("no H.264 or ADTS AAC stream in the program (stream types {stream_types:02x?})")]
    NoSupportedStream { stream_types: Vec<u8> },
    /// A PES packet had no valid header; it was skipped.
    #[error("malformed PES header on PID {pid:#06x} at packet {packet}")]
    BadPes { pid: u16, packet: usize },
    /// H.264 samples arrived before any SPS/PPS.
    #[error("H.264 stream on PID {pid:#06x} has no SPS/PPS")]
    MissingParameterSets { pid: u16 },
    /// The SPS could not be parsed.
    #[error("invalid H.264 SPS (PES at packet {packet}): {source}")]
    BadSps { packet: usize, source: SpsError },
    /// Garbage in the ADTS stream; skipped up to the next frame header.
    #[error("invalid ADTS data at byte {offset} of the PES at packet {packet}")]
    BadAdts { packet: usize, offset: usize },
    /// The ADTS header asks for something MP4 cannot carry without more work.
    #[error("unsupported ADTS stream at packet {packet}: {reason}")]
    UnsupportedAdts { packet: usize, reason: &'static str },
    /// A stream's data ended in the middle of a frame; the partial frame was dropped.
    #[error("truncated {what} at the end of the segment (PID {pid:#06x})")]
    TruncatedFrame { pid: u16, what: &'static str },
    /// An ID3 PES could not be parsed; the cue was skipped.
    #[error("invalid ID3 tag in the PES at packet {packet}: {source}")]
    BadId3 { packet: usize, source: Id3Error },
    /// The segment's timestamps were far from its playlist time within one discontinuity
    /// sequence (an encoder clock reset without EXT-X-DISCONTINUITY): re-anchored there.
    #[error("timestamps jumped by {millis} ms in discontinuity sequence {discontinuity_sequence}; re-anchored on the playlist time")]
    TimestampJump {
        discontinuity_sequence: u64,
        millis: i64,
    },
    /// An `emsg` box of an fMP4 segment carried an invalid ID3 tag; the cue was skipped.
    #[error("invalid ID3 tag in the emsg box at byte {offset}: {source}")]
    BadEmsg { offset: usize, source: Id3Error },
    /// A timestamp fell before the start of the output timeline and was clamped to 0.
    #[error("{track} decode time before the timeline start was clamped to 0")]
    NegativeTime { track: &'static str },
    /// Nothing playable was found.
    #[error("segment contains no audio or video samples")]
    Empty,
    /// The input was fMP4 and its boxes were malformed.
    #[error(transparent)]
    Mp4(#[from] Mp4Error),
}

/// Why an SPS could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SpsError {
    #[error(transparent)]
    Bits(#[from] BitsError),
    #[error("{field} out of range ({value})")]
    OutOfRange { field: &'static str, value: u32 },
    #[error("not an SPS NAL unit")]
    NotSps,
}

/// Why an ID3v2 tag could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Id3Error {
    #[error("no ID3v2 header at byte {offset}")]
    NoHeader { offset: usize },
    #[error("unsupported ID3v2 version 2.{version}")]
    UnsupportedVersion { version: u8 },
    #[error("ID3 {what} at byte {offset} runs past the end of the tag")]
    Truncated { what: &'static str, offset: usize },
}

/// Why an ISO BMFF (MP4) structure could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Mp4Error {
    #[error("box at byte {offset} claims {size} bytes but only {available} remain")]
    Truncated {
        offset: usize,
        size: u64,
        available: usize,
    },
    #[error("box at byte {offset} has an invalid size {size}")]
    BadSize { offset: usize, size: u64 },
    #[error("no '{path}' box found")]
    Missing { path: &'static str },
    #[error("malformed '{fourcc}' box at byte {offset}")]
    Malformed { fourcc: &'static str, offset: usize },
}
