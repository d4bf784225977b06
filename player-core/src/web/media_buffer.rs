//! The MediaSource and its SourceBuffer, fed one operation at a time.
//!
//! MSE forbids a new `appendBuffer`/`remove` while the buffer is `updating`, and most
//! operations need the MediaSource to be `open`; this queue holds operations until both are
//! true and reports each one's outcome back in order.

use std::collections::VecDeque;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MediaSource, MediaSourceReadyState, SourceBuffer, TimeRanges};

use crate::hls::buffer::{BufferedRanges, TimeRange};
use crate::hls::engine::MediaBufferFailure;
use crate::hls::Command;

/// What became of an operation.
pub(crate) enum Outcome {
    /// Finished now; the buffer holds these ranges.
    Done(BufferedRanges),
    /// Started; `updateend` (or `error`) will finish it.
    Started,
    Failed(MediaBufferFailure),
}

pub(crate) struct MediaBuffer {
    pub media_source: MediaSource,
    pub source_buffer: Option<SourceBuffer>,
    queue: VecDeque<Command>,
    /// An async operation (append/remove) is in progress.
    busy: bool,
    /// The running operation raised `error`.
    failed: bool,
}

impl MediaBuffer {
    pub fn new(media_source: MediaSource) -> Self {
        MediaBuffer {
            media_source,
            source_buffer: None,
            queue: VecDeque::new(),
            busy: false,
            failed: false,
        }
    }

    pub fn enqueue(&mut self, op: Command) {
        self.queue.push_back(op);
    }

    pub fn buffered(&self) -> BufferedRanges {
        self.source_buffer
            .as_ref()
            .and_then(|sb| sb.buffered().ok())
            .map(|r| time_ranges(&r))
            .unwrap_or_default()
    }

    /// The SourceBuffer raised `error` for the running operation.
    pub fn mark_failed(&mut self) {
        self.failed = true;
    }

    /// `updateend` arrived: the running operation is done, or failed if `error` came first.
    pub fn finish_running(&mut self) -> Result<BufferedRanges, MediaBufferFailure> {
        self.busy = false;
        if std::mem::take(&mut self.failed) {
            return Err(MediaBufferFailure::Decode(
                "the browser rejected a media segment".into(),
            ));
        }
        Ok(self.buffered())
    }

    /// Starts the next operation if the buffer can take one. `None` when it must wait.
    pub fn start_next(&mut self) -> Option<(Outcome, Option<SourceBuffer>)> {
        if self.busy || self.queue.is_empty() {
            return None;
        }
        let state = self.media_source.ready_state();
        let head_can_reopen = matches!(
            self.queue.front(),
            Some(Command::Append(_) | Command::Remove { .. } | Command::SetTimestampOffset(_))
        );
        match state {
            MediaSourceReadyState::Open => {}
            // Appending to or removing from an ended MediaSource (or setting the offset for
            // such an append) re-opens it: a seek back or a quality change after the last
            // segment arrived.
            MediaSourceReadyState::Ended if head_can_reopen => {}
            _ => return None,
        }
        let op = self.queue.pop_front()?;
        let mut created = None;
        let outcome = match op {
            Command::AddSourceBuffer { mime } => match self.media_source.add_source_buffer(&mime) {
                Ok(sb) => {
                    created = Some(sb.clone());
                    self.source_buffer = Some(sb);
                    Outcome::Done(self.buffered())
                }
                Err(_) => Outcome::Failed(MediaBufferFailure::Unsupported { mime }),
            },
            Command::ChangeType { mime } => match self.with_buffer(|sb| sb.change_type(&mime)) {
                Ok(()) => Outcome::Done(self.buffered()),
                Err(_) => Outcome::Failed(MediaBufferFailure::Unsupported { mime }),
            },
            Command::SetDuration(duration) => {
                self.media_source.set_duration(duration);
                Outcome::Done(self.buffered())
            }
            // Through `Reflect` because the setter throws (a removed buffer) and web-sys's
            // binding of it does not catch.
            Command::SetTimestampOffset(offset) => match self.with_buffer(|sb| {
                js_sys::Reflect::set(sb, &"timestampOffset".into(), &offset.into()).map(drop)
            }) {
                Ok(()) => Outcome::Done(self.buffered()),
                Err(e) => Outcome::Failed(MediaBufferFailure::Decode(describe(&e))),
            },
            Command::Append(mut bytes) => {
                match self.with_buffer(|sb| sb.append_buffer_with_u8_array(&mut bytes)) {
                    Ok(()) => self.started(),
                    Err(e) if is_quota_error(&e) => {
                        Outcome::Failed(MediaBufferFailure::QuotaExceeded)
                    }
                    Err(e) => Outcome::Failed(MediaBufferFailure::Decode(describe(&e))),
                }
            }
            Command::Remove { start, end } => {
                let end = if end.is_finite() { end } else { f64::INFINITY };
                // `end <= start` or NaN: nothing to remove.
                if end.partial_cmp(&start) != Some(std::cmp::Ordering::Greater) {
                    Outcome::Done(self.buffered())
                } else {
                    match self.with_buffer(|sb| sb.remove(start.max(0.0), end)) {
                        Ok(()) => self.started(),
                        Err(e) => Outcome::Failed(MediaBufferFailure::Decode(describe(&e))),
                    }
                }
            }
            Command::SetLiveSeekableRange { start, end } => {
                if end > start {
                    self.media_source.set_live_seekable_range(start, end).ok();
                }
                Outcome::Done(self.buffered())
            }
            Command::EndOfStream => {
                if state == MediaSourceReadyState::Open {
                    let _ = self.media_source.end_of_stream();
                }
                Outcome::Done(self.buffered())
            }
            // Not buffer operations; the driver performs them itself.
            _ => Outcome::Done(self.buffered()),
        };
        Some((outcome, created))
    }

    fn started(&mut self) -> Outcome {
        self.busy = true;
        Outcome::Started
    }

    fn with_buffer(
        &self,
        f: impl FnOnce(&SourceBuffer) -> Result<(), JsValue>,
    ) -> Result<(), JsValue> {
        match &self.source_buffer {
            Some(sb) => f(sb),
            None => Err(JsValue::from_str("no source buffer")),
        }
    }
}

/// A browser `TimeRanges` in the engine's terms.
pub fn time_ranges(time_ranges: &TimeRanges) -> BufferedRanges {
    let spans = (0..time_ranges.length())
        .filter_map(|i| {
            Some(TimeRange::new(
                time_ranges.start(i).ok()?,
                time_ranges.end(i).ok()?,
            ))
        })
        .collect();
    BufferedRanges(spans)
}

fn is_quota_error(error: &JsValue) -> bool {
    error
        .dyn_ref::<web_sys::DomException>()
        .is_some_and(|e| e.name() == "QuotaExceededError")
}

fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<web_sys::DomException>()
        .map(|e| e.message())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
