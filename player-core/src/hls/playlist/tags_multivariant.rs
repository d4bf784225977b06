//! Multivariant Playlist tags (RFC 8216bis §4.4.6).

use super::error::PlaylistErrorKind as Kind;
use super::media::KeyMethod;
use super::multivariant::{
    ContentSteering, IFrameVariant, MediaType, Rendition, SessionData, SessionDataFormat, Variant,
};
use super::parser::{attr_err, required, set_once, Attr, Parser, Result};

/// Per-attribute slots of `EXT-X-STREAM-INF` / `EXT-X-I-FRAME-STREAM-INF`, so duplicates are
/// caught before the values land in a [`Variant`].
#[derive(Default)]
struct StreamAttributes {
    uri: Option<String>,
    bandwidth: Option<u64>,
    average_bandwidth: Option<u64>,
    score: Option<f64>,
    codecs: Option<String>,
    supplemental_codecs: Option<String>,
    resolution: Option<super::Resolution>,
    frame_rate: Option<f64>,
    hdcp_level: Option<String>,
    allowed_cpc: Option<String>,
    video_range: Option<String>,
    req_video_layout: Option<String>,
    stable_variant_id: Option<String>,
    audio: Option<String>,
    video: Option<String>,
    subtitles: Option<String>,
    closed_captions: Option<Option<String>>,
    pathway_id: Option<String>,
    program_id: Option<u64>,
}

impl Parser<'_> {
    fn stream_attributes(&mut self, list: &str) -> Result<StreamAttributes> {
        let mut s = StreamAttributes::default();
        self.attributes(list, |p, a| {
            let string = |p: &mut Parser<'_>, a: &Attr<'_>| p.string(a);
            match a.name {
                // Each name is compared in turn: the attributes nearly every variant has come first.
                "BANDWIDTH" => set_once(&mut s.bandwidth, &a, a.integer()?),
                "AVERAGE-BANDWIDTH" => set_once(&mut s.average_bandwidth, &a, a.integer()?),
                "CODECS" => set_once(&mut s.codecs, &a, string(p, &a)?),
                "RESOLUTION" => set_once(&mut s.resolution, &a, a.resolution()?),
                "FRAME-RATE" => {
                    let v = a.float()?;
                    if !v.is_finite() {
                        return Err(a.error(Kind::OutOfRange { what: "frame rate" }));
                    }
                    set_once(&mut s.frame_rate, &a, v)
                }
                "AUDIO" => set_once(&mut s.audio, &a, string(p, &a)?),
                "SUBTITLES" => set_once(&mut s.subtitles, &a, string(p, &a)?),
                "CLOSED-CAPTIONS" => {
                    let v = match a.value {
                        super::attributes::AttributeValue::Unquoted("NONE") => None,
                        _ => Some(string(p, &a)?),
                    };
                    set_once(&mut s.closed_captions, &a, v)
                }
                "VIDEO-RANGE" => set_once(&mut s.video_range, &a, a.text().to_owned()),
                "SCORE" => {
                    let v = a.float()?;
                    set_once(&mut s.score, &a, v)
                }
                "SUPPLEMENTAL-CODECS" => set_once(&mut s.supplemental_codecs, &a, string(p, &a)?),
                "HDCP-LEVEL" => set_once(&mut s.hdcp_level, &a, a.text().to_owned()),
                "ALLOWED-CPC" => set_once(&mut s.allowed_cpc, &a, string(p, &a)?),
                "REQ-VIDEO-LAYOUT" => set_once(&mut s.req_video_layout, &a, string(p, &a)?),
                "STABLE-VARIANT-ID" => set_once(&mut s.stable_variant_id, &a, string(p, &a)?),
                "VIDEO" => set_once(&mut s.video, &a, string(p, &a)?),
                "PATHWAY-ID" => set_once(&mut s.pathway_id, &a, string(p, &a)?),
                "PROGRAM-ID" => set_once(&mut s.program_id, &a, a.integer()?),
                "URI" => {
                    let v = p.uri(a.text(), Some(&a))?;
                    set_once(&mut s.uri, &a, v)
                }
                _ => Ok(()),
            }
        })?;
        if s.score.is_some_and(|v| !v.is_finite()) {
            return Err(attr_err(
                self.line,
                "SCORE",
                Kind::OutOfRange { what: "score" },
            ));
        }
        Ok(s)
    }

    pub(super) fn stream_inf(&mut self, value: Option<&str>) -> Result<()> {
        self.multivariant_tag()?;
        let value = self.value(value, "EXT-X-STREAM-INF")?;
        let s = self.stream_attributes(value)?;
        let variant = Variant {
            uri: String::new(),
            bandwidth: required(s.bandwidth, self.line, "BANDWIDTH")?,
            average_bandwidth: s.average_bandwidth,
            score: s.score,
            codecs: s.codecs,
            supplemental_codecs: s.supplemental_codecs,
            resolution: s.resolution,
            frame_rate: s.frame_rate,
            hdcp_level: s.hdcp_level,
            allowed_cpc: s.allowed_cpc,
            video_range: s.video_range,
            req_video_layout: s.req_video_layout,
            stable_variant_id: s.stable_variant_id,
            audio: s.audio,
            video: s.video,
            subtitles: s.subtitles,
            no_closed_captions: matches!(s.closed_captions, Some(None)),
            closed_captions: s.closed_captions.flatten(),
            pathway_id: s.pathway_id,
            program_id: s.program_id,
        };
        self.pending_variant = Some((variant, self.line));
        Ok(())
    }

    pub(super) fn iframe_stream_inf(&mut self, value: Option<&str>) -> Result<()> {
        self.multivariant_tag()?;
        let value = self.value(value, "EXT-X-I-FRAME-STREAM-INF")?;
        let s = self.stream_attributes(value)?;
        let variant = IFrameVariant {
            uri: required(s.uri, self.line, "URI")?,
            bandwidth: required(s.bandwidth, self.line, "BANDWIDTH")?,
            average_bandwidth: s.average_bandwidth,
            score: s.score,
            codecs: s.codecs,
            supplemental_codecs: s.supplemental_codecs,
            resolution: s.resolution,
            hdcp_level: s.hdcp_level,
            allowed_cpc: s.allowed_cpc,
            video_range: s.video_range,
            req_video_layout: s.req_video_layout,
            stable_variant_id: s.stable_variant_id,
            video: s.video,
            pathway_id: s.pathway_id,
            program_id: s.program_id,
        };
        self.multivariant.iframe_variants.push(variant);
        Ok(())
    }

    pub(super) fn media_rendition(&mut self, value: Option<&str>) -> Result<()> {
        self.multivariant_tag()?;
        let value = self.value(value, "EXT-X-MEDIA")?;
        let line = self.line;
        let (mut media_type, mut uri, mut group_id, mut language, mut assoc_language, mut name) =
            (None, None, None, None, None, None);
        let (mut stable_id, mut default, mut autoselect, mut forced, mut instream_id) =
            (None, None, None, None, None);
        let (mut bit_depth, mut sample_rate, mut characteristics, mut channels) =
            (None, None, None, None);
        self.attributes(value, |p, a| match a.name {
            "TYPE" => {
                let t = match a.text() {
                    "AUDIO" => MediaType::Audio,
                    "VIDEO" => MediaType::Video,
                    "SUBTITLES" => MediaType::Subtitles,
                    "CLOSED-CAPTIONS" => MediaType::ClosedCaptions,
                    other => {
                        return Err(a.error(Kind::UnexpectedValue {
                            value: other.to_owned(),
                        }))
                    }
                };
                set_once(&mut media_type, &a, t)
            }
            "URI" => {
                let v = p.uri(a.text(), Some(&a))?;
                set_once(&mut uri, &a, v)
            }
            "GROUP-ID" => set_once(&mut group_id, &a, p.string(&a)?),
            "LANGUAGE" => set_once(&mut language, &a, p.string(&a)?),
            "ASSOC-LANGUAGE" => set_once(&mut assoc_language, &a, p.string(&a)?),
            "NAME" => set_once(&mut name, &a, p.string(&a)?),
            "STABLE-RENDITION-ID" => set_once(&mut stable_id, &a, p.string(&a)?),
            "DEFAULT" => set_once(&mut default, &a, a.yes_no()?),
            "AUTOSELECT" => set_once(&mut autoselect, &a, a.yes_no()?),
            "FORCED" => set_once(&mut forced, &a, a.yes_no()?),
            "INSTREAM-ID" => set_once(&mut instream_id, &a, p.string(&a)?),
            "BIT-DEPTH" => set_once(&mut bit_depth, &a, a.integer()?),
            "SAMPLE-RATE" => set_once(&mut sample_rate, &a, a.integer()?),
            "CHARACTERISTICS" => set_once(&mut characteristics, &a, p.string(&a)?),
            "CHANNELS" => set_once(&mut channels, &a, p.string(&a)?),
            _ => Ok(()),
        })?;
        let media_type = required(media_type, line, "TYPE")?;
        if media_type == MediaType::ClosedCaptions {
            if uri.is_some() {
                return Err(attr_err(
                    line,
                    "URI",
                    Kind::AttributeNotAllowed {
                        reason: "closed captions are carried in the video",
                    },
                ));
            }
            if instream_id.is_none() {
                return Err(attr_err(line, "INSTREAM-ID", Kind::MissingAttribute));
            }
        }
        self.multivariant.renditions.push(Rendition {
            media_type,
            uri,
            group_id: required(group_id, line, "GROUP-ID")?,
            language,
            assoc_language,
            name: required(name, line, "NAME")?,
            stable_rendition_id: stable_id,
            default: default.unwrap_or(false),
            autoselect: autoselect.unwrap_or(false),
            forced: forced.unwrap_or(false),
            instream_id,
            bit_depth,
            sample_rate,
            characteristics,
            channels,
        });
        Ok(())
    }

    pub(super) fn session_data(&mut self, value: Option<&str>) -> Result<()> {
        self.multivariant_tag()?;
        let value = self.value(value, "EXT-X-SESSION-DATA")?;
        let line = self.line;
        let (mut data_id, mut val, mut uri, mut format, mut language) =
            (None, None, None, None, None);
        self.attributes(value, |p, a| match a.name {
            "DATA-ID" => set_once(&mut data_id, &a, p.string(&a)?),
            "VALUE" => set_once(&mut val, &a, p.string(&a)?),
            "URI" => {
                let v = p.uri(a.text(), Some(&a))?;
                set_once(&mut uri, &a, v)
            }
            "FORMAT" => {
                let f = match a.text() {
                    "JSON" => SessionDataFormat::Json,
                    "RAW" => SessionDataFormat::Raw,
                    other => {
                        return Err(a.error(Kind::UnexpectedValue {
                            value: other.to_owned(),
                        }))
                    }
                };
                set_once(&mut format, &a, f)
            }
            "LANGUAGE" => set_once(&mut language, &a, p.string(&a)?),
            _ => Ok(()),
        })?;
        let data_id = required(data_id, line, "DATA-ID")?;
        if val.is_some() == uri.is_some() {
            return Err(attr_err(
                line,
                "VALUE",
                Kind::Invalid("EXT-X-SESSION-DATA needs exactly one of VALUE and URI"),
            ));
        }
        self.multivariant.session_data.push(SessionData {
            data_id,
            value: val,
            uri,
            format: format.unwrap_or_default(),
            language,
        });
        Ok(())
    }

    pub(super) fn session_key(&mut self, value: Option<&str>) -> Result<()> {
        self.multivariant_tag()?;
        let value = self.value(value, "EXT-X-SESSION-KEY")?;
        let key = self.key_attributes(value)?;
        if key.method == KeyMethod::None {
            return Err(attr_err(
                self.line,
                "METHOD",
                Kind::AttributeNotAllowed {
                    reason: "a session key cannot be NONE",
                },
            ));
        }
        self.multivariant.session_keys.push(key);
        Ok(())
    }

    pub(super) fn content_steering(&mut self, value: Option<&str>) -> Result<()> {
        const TAG: &str = "EXT-X-CONTENT-STEERING";
        self.multivariant_tag()?;
        let value = self.value(value, TAG)?;
        if std::mem::replace(&mut self.seen.content_steering, true) {
            return Err(self.error(Kind::DuplicateTag { tag: TAG }));
        }
        let (mut server_uri, mut pathway_id) = (None, None);
        self.attributes(value, |p, a| match a.name {
            "SERVER-URI" => {
                let v = p.uri(a.text(), Some(&a))?;
                set_once(&mut server_uri, &a, v)
            }
            "PATHWAY-ID" => set_once(&mut pathway_id, &a, p.string(&a)?),
            _ => Ok(()),
        })?;
        self.multivariant.content_steering = Some(ContentSteering {
            server_uri: required(server_uri, self.line, "SERVER-URI")?,
            pathway_id,
        });
        Ok(())
    }
}
