//! The live routes through the whole site's router, over the generated fixtures (skipped
//! with a notice without them): real time, so these take some seconds.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::header::{CONTENT_RANGE, RANGE};
use axum::http::{Method, Request};
use axum::Router;
use player_core::hls::playlist::{parse_playlist, Playlist};
use tower::ServiceExt as _;

fn root() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let master = root
        .join(crate::fixtures::STREAMS_DIR)
        .join("vod-ts/master.m3u8");
    if master.exists() {
        Some(root)
    } else {
        eprintln!(
            "SKIPPED: {} missing; run `cargo xtask fixtures`",
            master.display()
        );
        None
    }
}

struct Reply {
    status: u16,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn call(app: &Router, method: Method, uri: &str, range: Option<&str>) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(range) = range {
        request = request.header(RANGE, range);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn plain_stream_serves_playlists_segments_and_controls() {
    let Some(root) = root() else { return };
    let app = crate::server::router(&root);
    runtime().block_on(async {
        let get = |uri: &'static str| call(&app, Method::GET, uri, None);
        let master = get("/live/plain/master.m3u8").await;
        assert_eq!(master.status, 200);
        let Ok(Playlist::Multivariant(master)) =
            parse_playlist(&master.text(), "http://x/live/plain/master.m3u8")
        else {
            panic!("master: {}", master.text());
        };
        assert_eq!(master.variants.len(), 3);
        assert!(master.variants[0]
            .uri
            .ends_with("/live/plain/360p/index.m3u8"));

        let playlist = get("/live/plain/360p/index.m3u8").await;
        assert_eq!(playlist.status, 200);
        assert_eq!(
            playlist.headers["content-type"],
            "application/vnd.apple.mpegurl"
        );
        let text = playlist.text();
        // A full window from the first request on; tee by DATERANGE at once.
        assert!(text.contains("#EXT-X-MEDIA-SEQUENCE:0\n"), "{text}");
        assert!(
            text.contains("seg_5.ts\n") && !text.contains("seg_6.ts"),
            "{text}"
        );
        assert!(text.contains("X-PRODUCT-ID=\"tee\""), "{text}");
        // Blocking directives are ignored by a plain stream: no wait.
        let started = Instant::now();
        let ignored = get("/live/plain/360p/index.m3u8?_HLS_msn=7&_HLS_part=0").await;
        assert_eq!(ignored.status, 200);
        assert!(started.elapsed() < Duration::from_secs(1));

        // A segment not yet published (plain HLS): 404, as text rather than as video.
        let segment = get("/live/plain/360p/seg_10.ts").await;
        assert_eq!(
            (
                segment.status,
                segment.headers["content-type"].to_str().unwrap()
            ),
            (404, "text/plain; charset=utf-8")
        );
        let segment = get("/live/plain/360p/seg_5.ts").await;
        assert_eq!(segment.status, 200);
        assert_eq!(segment.headers["content-type"], "video/mp2t");
        assert_eq!(segment.body.len() % 188, 0);
        let ranged = call(
            &app,
            Method::GET,
            "/live/plain/360p/seg_5.ts",
            Some("bytes=188-375"),
        )
        .await;
        assert_eq!(ranged.status, 206);
        assert_eq!(ranged.body, segment.body[188..376]);
        assert_eq!(
            ranged.headers[CONTENT_RANGE],
            format!("bytes 188-375/{}", segment.body.len())
        );
        assert_eq!(get("/live/plain/360p/seg_6.ts").await.status, 404);
        assert_eq!(get("/live/plain/999p/index.m3u8").await.status, 404);
        assert_eq!(get("/live/bad%20name/master.m3u8").await.status, 404);

        // Restart with the window already past the tote moment: seg_10 has the ID3 tag.
        let restarted = call(
            &app,
            Method::POST,
            "/live/plain/control/restart?preroll=24",
            None,
        )
        .await;
        assert_eq!(restarted.status, 200, "{}", restarted.text());
        let with_id3 = get("/live/plain/360p/seg_10.ts").await;
        assert_eq!(with_id3.status, 200);
        let haystack = String::from_utf8_lossy(&with_id3.body);
        assert!(haystack.contains("shoppable\0{\"product\":\"tote\",\"duration\":8}"));

        // Freeze: the playlist stops changing; end: ENDLIST with the last window.
        let frozen = call(&app, Method::POST, "/live/plain/control/freeze", None).await;
        assert!(
            frozen.text().contains("\"frozen\":true"),
            "{}",
            frozen.text()
        );
        let ended = call(&app, Method::POST, "/live/plain/control/end", None).await;
        assert!(ended.text().contains("\"ended\":true"));
        let text = get("/live/plain/360p/index.m3u8").await.text();
        assert!(text.ends_with("seg_12.ts\n#EXT-X-ENDLIST\n"), "{text}");
        assert_eq!(
            call(&app, Method::POST, "/live/plain/control/rewind", None)
                .await
                .status,
            404
        );
        assert_eq!(
            call(
                &app,
                Method::POST,
                "/live/plain/control/restart?window=2",
                None
            )
            .await
            .status,
            400
        );
    });
}

#[test]
fn low_latency_stream_blocks_until_the_part_and_streams_the_segment_in_progress() {
    let Some(root) = root() else { return };
    let app = crate::server::router(&root);
    runtime().block_on(async {
        // A new stream at 20 s: segment 10 in progress, nothing of it published.
        let restart = call(
            &app,
            Method::POST,
            "/live/blocking-ll/control/restart",
            None,
        )
        .await;
        assert!(
            restart.text().contains("\"mode\":\"ll\""),
            "{}",
            restart.text()
        );
        let started = Instant::now();
        let reply = call(
            &app,
            Method::GET,
            "/live/blocking-ll/240p/index.m3u8?_HLS_msn=10&_HLS_part=1",
            None,
        )
        .await;
        let waited = started.elapsed();
        assert_eq!(reply.status, 200);
        // Part 1 ends 1 s into the segment.
        assert!(
            (Duration::from_millis(900)..Duration::from_millis(1500)).contains(&waited),
            "waited {waited:?}"
        );
        let Ok(Playlist::Media(media)) =
            parse_playlist(&reply.text(), "http://x/live/blocking-ll/240p/index.m3u8")
        else {
            panic!("{}", reply.text());
        };
        assert_eq!(media.pending_parts.len(), 2, "{}", reply.text());
        assert_eq!(media.rendition_reports.len(), 2);

        // The preload hint: the rest of the segment in progress, sent as it is produced.
        let hint = &media.preload_hints[0];
        let start = hint.byte_range_start.unwrap_or(0);
        let started = Instant::now();
        let rest = call(
            &app,
            Method::GET,
            "/live/blocking-ll/240p/seg_10.ts",
            Some(&format!("bytes={start}-")),
        )
        .await;
        assert_eq!(rest.status, 206);
        assert!(
            started.elapsed() >= Duration::from_millis(800),
            "{:?}",
            started.elapsed()
        );
        let whole = call(&app, Method::GET, "/live/blocking-ll/240p/seg_10.ts", None).await;
        assert_eq!(rest.body, whole.body[start as usize..]);

        // Too far ahead: 400 at once; part without msn: 400.
        let too_far = call(
            &app,
            Method::GET,
            "/live/blocking-ll/240p/index.m3u8?_HLS_msn=20",
            None,
        )
        .await;
        assert_eq!(too_far.status, 400, "{}", too_far.text());
        let no_msn = call(
            &app,
            Method::GET,
            "/live/blocking-ll/240p/index.m3u8?_HLS_part=1",
            None,
        )
        .await;
        assert_eq!(no_msn.status, 400);

        // Frozen, a request for the next segment times out with 503 after 6 s; an
        // unfreeze releases it at once instead.
        call(&app, Method::POST, "/live/blocking-ll/control/freeze", None).await;
        let waiting = {
            let app = app.clone();
            tokio::spawn(async move {
                let started = Instant::now();
                let reply = call(
                    &app,
                    Method::GET,
                    "/live/blocking-ll/240p/index.m3u8?_HLS_msn=12",
                    None,
                )
                .await;
                (reply.status, started.elapsed())
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        let delta = call(
            &app,
            Method::GET,
            "/live/blocking-ll/240p/index.m3u8?_HLS_skip=YES",
            None,
        )
        .await;
        assert!(
            delta.text().contains("#EXT-X-SKIP:SKIPPED-SEGMENTS="),
            "{}",
            delta.text()
        );
        let (status, waited) = waiting.await.unwrap();
        assert_eq!(status, 503);
        assert!(waited >= Duration::from_secs(6), "{waited:?}");
        // Unfreezing releases a waiting request at once: the stream catches up.
        let waiting = {
            let app = app.clone();
            tokio::spawn(async move {
                let reply = call(
                    &app,
                    Method::GET,
                    "/live/blocking-ll/240p/index.m3u8?_HLS_msn=12",
                    None,
                )
                .await;
                (reply.status, Instant::now())
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        let unfrozen_at = Instant::now();
        call(
            &app,
            Method::POST,
            "/live/blocking-ll/control/unfreeze",
            None,
        )
        .await;
        let (status, answered_at) = waiting.await.unwrap();
        assert_eq!(status, 200);
        assert!(answered_at.duration_since(unfrozen_at) < Duration::from_millis(200));
    });
}

#[test]
fn parts_as_resources_are_held_until_published_and_logged() {
    let Some(root) = root() else { return };
    let app = crate::server::router(&root);
    runtime().block_on(async {
        // A new stream at 20 s: segment 10 in progress, nothing of it published.
        let restart = call(
            &app,
            Method::POST,
            "/live/res-ll-parts/control/restart",
            None,
        )
        .await;
        assert!(
            restart.text().contains("\"parts\":\"resources\""),
            "{}",
            restart.text()
        );
        let playlist = call(
            &app,
            Method::GET,
            "/live/res-ll-parts/240p/index.m3u8",
            None,
        )
        .await;
        let text = playlist.text();
        assert!(
            text.contains("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"seg_10.part0.ts\"\n"),
            "{text}"
        );
        assert!(!text.contains("BYTERANGE"), "{text}");

        // The hinted part: held until it is complete (0.5 s), then exactly its bytes.
        let started = Instant::now();
        let part = call(
            &app,
            Method::GET,
            "/live/res-ll-parts/240p/seg_10.part0.ts",
            None,
        )
        .await;
        let waited = started.elapsed();
        assert_eq!(part.status, 200, "{}", part.text());
        assert_eq!(part.headers["content-type"], "video/mp2t");
        assert!(
            (Duration::from_millis(400)..Duration::from_millis(1000)).contains(&waited),
            "waited {waited:?}"
        );
        let whole_9 = call(&app, Method::GET, "/live/res-ll-parts/240p/seg_9.ts", None).await;
        let listed = call(
            &app,
            Method::GET,
            "/live/res-ll-parts/240p/index.m3u8",
            None,
        )
        .await;
        let Ok(Playlist::Media(media)) =
            parse_playlist(&listed.text(), "http://x/live/res-ll-parts/240p/index.m3u8")
        else {
            panic!("{}", listed.text());
        };
        // The parts of a complete segment tile it.
        let last = media.segments.last().expect("segments");
        assert_eq!(last.media_sequence, 9);
        let mut tiled = Vec::new();
        for part in &last.parts {
            let path = part
                .uri
                .strip_prefix("http://x")
                .unwrap_or(&part.uri)
                .to_owned();
            let reply = call(&app, Method::GET, &path, None).await;
            assert_eq!(reply.status, 200, "{path}");
            tiled.extend_from_slice(&reply.body);
        }
        assert!(!last.parts.is_empty() && tiled == whole_9.body);
        assert!(part.body.len() % 188 == 0 && !part.body.is_empty());

        // Not a part of this segment, too far ahead, or a byte-range stream's part: 404.
        for path in [
            "/live/res-ll-parts/240p/seg_10.part99.ts",
            "/live/res-ll-parts/240p/seg_15.part0.ts",
            "/live/plain-ranges-ll/240p/seg_10.part0.ts",
        ] {
            assert_eq!(
                call(&app, Method::GET, path, None).await.status,
                404,
                "{path}"
            );
        }

        // The log: part 0 of segment 10 asked for once, before any playlist listed it.
        let log = call(&app, Method::GET, "/live/res-ll-parts/parts", None).await;
        let log: serde_json::Value = serde_json::from_slice(&log.body).expect("JSON");
        let entry = log["parts"]
            .as_array()
            .and_then(|parts| {
                parts
                    .iter()
                    .find(|p| p["rendition"] == "240p" && p["msn"] == 10 && p["part"] == 0)
            })
            .cloned()
            .expect("part 10.0 logged");
        assert_eq!(entry["requests"], 1, "{entry}");
        let requested = entry["first_requested_ms"].as_f64().expect("requested");
        let listed = entry["first_listed_ms"].as_f64().expect("listed");
        let published = entry["published_ms"].as_f64().expect("published");
        assert!(requested < published && published <= listed, "{entry}");
    });
}
