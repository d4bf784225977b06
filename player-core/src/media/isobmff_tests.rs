use super::*;

fn bx(fourcc: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    b.extend_from_slice(fourcc);
    b.extend_from_slice(body);
    b
}

/// moov/trak/mdia/minf/stbl/stsd around one sample entry.
fn init_with(entries: &[Vec<u8>]) -> Vec<u8> {
    let mut moov = Vec::new();
    for entry in entries {
        let mut stsd = vec![0, 0, 0, 0, 0, 0, 0, 1];
        stsd.extend_from_slice(entry);
        let stbl = bx(b"stbl", &bx(b"stsd", &stsd));
        let minf = bx(b"minf", &stbl);
        let mdia = bx(b"mdia", &minf);
        moov.extend(bx(b"trak", &mdia));
    }
    let mut init = bx(b"ftyp", b"isom\0\0\0\0");
    init.extend(bx(b"moov", &moov));
    init
}

fn visual(fourcc: &[u8; 4], children: &[u8]) -> Vec<u8> {
    let mut body = vec![0; 78];
    body.extend_from_slice(children);
    bx(fourcc, &body)
}

fn audio(fourcc: &[u8; 4], children: &[u8]) -> Vec<u8> {
    let mut body = vec![0; 28];
    body.extend_from_slice(children);
    bx(fourcc, &body)
}

fn esds(oti: u8, asc: &[u8]) -> Vec<u8> {
    let mut dcd = vec![oti, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    dcd.extend([5, asc.len() as u8]);
    dcd.extend_from_slice(asc);
    let mut es = vec![0, 1, 0, 4, dcd.len() as u8];
    es.extend(dcd);
    es.extend([6, 1, 2]);
    let mut body = vec![0, 0, 0, 0, 3, es.len() as u8];
    body.extend(es);
    bx(b"esds", &body)
}

#[test]
fn codec_strings_of_common_sample_entries() {
    let hvcc = bx(
        b"hvcC",
        &[1, 0x01, 0x60, 0, 0, 0, 0xB0, 0, 0, 0, 0, 0, 93, 0xF0],
    );
    let cases: [(Vec<u8>, &str); 8] = [
        (
            visual(b"avc1", &bx(b"avcC", &[1, 0x4d, 0x40, 0x1e, 0xff])),
            "avc1.4d401e",
        ),
        (
            visual(b"avc3", &bx(b"avcC", &[1, 0x64, 0x00, 0x28, 0xff])),
            "avc3.640028",
        ),
        (visual(b"hvc1", &hvcc), "hvc1.1.6.L93.B0"),
        (
            audio(b"mp4a", &esds(0x40, &[0x2B, 0x8A, 0x08])),
            "mp4a.40.5",
        ),
        (audio(b"mp4a", &esds(0x40, &[0xF8, 0x1F])), "mp4a.40.32"),
        (audio(b"mp4a", &esds(0x6B, &[])), "mp4a.6b"),
        (audio(b"ec-3", &[]), "ec-3"),
        (
            visual(
                b"vp09",
                &bx(b"vpcC", &[1, 0, 0, 0, 0, 31, 0x80, 2, 2, 2, 0]),
            ),
            "vp09.00.31.08",
        ),
    ];
    for (entry, want) in cases {
        assert_eq!(
            codecs_from_init_segment(&init_with(&[entry])).unwrap(),
            want
        );
    }
}

#[test]
fn encrypted_entries_use_the_original_format() {
    let sinf = bx(b"sinf", &bx(b"frma", b"avc1"));
    let mut children = bx(b"avcC", &[1, 0x42, 0xC0, 0x1E, 0xff]);
    children.extend(sinf);
    let init = init_with(&[
        visual(b"encv", &children),
        audio(b"mp4a", &esds(0x40, &[0x12, 0x10])),
    ]);
    assert_eq!(
        codecs_from_init_segment(&init).unwrap(),
        "avc1.42c01e,mp4a.40.2"
    );
}

#[test]
fn malformed_inits_are_errors_with_offsets() {
    assert_eq!(
        codecs_from_init_segment(&bx(b"ftyp", b"isom")),
        Err(Mp4Error::Missing { path: "moov" })
    );
    let mut init = init_with(&[visual(b"avc1", &bx(b"avcC", &[1, 0x4d, 0x40, 0x1e]))]);
    init.truncate(init.len() - 3);
    assert_eq!(
        codecs_from_init_segment(&init),
        Err(Mp4Error::Truncated {
            offset: 16,
            size: (init.len() + 3 - 16) as u64,
            available: init.len() - 16
        })
    );
    let mut bad = bx(b"moov", &[]);
    bad[3] = 4; // size smaller than its header
    assert_eq!(
        codecs_from_init_segment(&bad),
        Err(Mp4Error::BadSize { offset: 0, size: 4 })
    );
    let init = init_with(&[visual(b"avc1", &bx(b"avcC", &[1, 0x4d]))]);
    assert!(matches!(
        codecs_from_init_segment(&init),
        Err(Mp4Error::Malformed { fourcc: "avcC", .. })
    ));
}

#[test]
fn fragment_time_range_from_tfdt_and_trun() {
    // tfhd track 2 with a default duration of 1024; tfdt v0 = 48000; trun of 3 samples
    // without per-sample durations.
    let tfhd = bx(b"tfhd", &[0, 0, 0, 0x08, 0, 0, 0, 2, 0, 0, 4, 0]);
    let tfdt = bx(b"tfdt", &[0, 0, 0, 0, 0, 0, 0xBB, 0x80]);
    let trun = bx(b"trun", &[0, 0, 0, 0, 0, 0, 0, 3]);
    let traf = bx(b"traf", &[tfhd, tfdt, trun].concat());
    let mut media = bx(b"moof", &traf);
    media.extend(bx(b"mdat", &[0; 10]));
    let (s, e) = fragment_range(&media, &[(2, 48_000)]).unwrap().unwrap();
    assert_eq!(s, 1.0);
    assert_eq!(e, 1.0 + 3.0 * 1024.0 / 48_000.0);
    assert_eq!(fragment_range(&media, &[(1, 90_000)]).unwrap(), None);
    // A trun claiming more samples than it holds.
    let trun = bx(b"trun", &[0, 0, 1, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
    let traf = bx(
        b"traf",
        &[
            bx(b"tfhd", &[0, 0, 0, 0, 0, 0, 0, 2]),
            bx(b"tfdt", &[0; 8]),
            trun,
        ]
        .concat(),
    );
    assert!(fragment_range(&bx(b"moof", &traf), &[(2, 1)]).is_err());
}

#[test]
fn mp4_detection() {
    assert!(looks_like_mp4(&bx(b"moof", &[])));
    assert!(looks_like_mp4(&bx(b"styp", b"msdh")));
    assert!(!looks_like_mp4(&[0x47; 188]));
    assert!(!looks_like_mp4(b"ftyp"));
}
