// The playlists the parsing benchmark reads, generated here so that every run (and both
// parsers) reads exactly the same text. Deterministic: no clock, no randomness.

const PDT_START = Date.UTC(2024, 2, 1, 9, 0, 0); // a live show's DVR window, say

/**
 * A Media Playlist of `segments` MPEG-TS segments, each with EXT-X-PROGRAM-DATE-TIME (as a live
 * event's DVR window or a live-to-VOD recording carries them) and a slightly different
 * duration, as encoders produce.
 */
export function mediaPlaylist(segments) {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    '#EXT-X-TARGETDURATION:7',
    '#EXT-X-MEDIA-SEQUENCE:1000',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  let elapsedMs = 0;
  for (let i = 0; i < segments; i++) {
    // 5.800 to 6.200 s, spread by a fixed multiplicative hash of the index.
    const durationMs = 5800 + ((i * 7919) % 401);
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(PDT_START + elapsedMs).toISOString()}`);
    lines.push(`#EXTINF:${(durationMs / 1000).toFixed(3)},`);
    lines.push(`1080p/segment_${String(1000 + i).padStart(6, '0')}.ts`);
    elapsedMs += durationMs;
  }
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** The `EXT-X-MEDIA` renditions of {@link multivariantPlaylist}: three audio, two subtitles. */
export const MULTIVARIANT_RENDITIONS = 5;

/**
 * A Multivariant Playlist of `variants` video variants (a wide ladder, as a big publisher's
 * with several codecs and frame rates would be), sharing three audio languages and two
 * subtitle tracks.
 */
export function multivariantPlaylist(variants) {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const [language, name, isDefault] of [['en', 'English', true], ['es', 'Español', false], ['fr', 'Français', false]]) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="${language}",NAME="${name}",` +
        `DEFAULT=${isDefault ? 'YES' : 'NO'},AUTOSELECT=YES,CHANNELS="2",URI="audio/${language}/index.m3u8"`,
    );
  }
  for (const [language, name] of [['en', 'English'], ['es', 'Español']]) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="${language}",NAME="${name}",` +
        `DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="subtitles/${language}/index.m3u8"`,
    );
  }
  const heights = [2160, 1440, 1080, 720, 540, 480, 360, 270, 234, 180];
  for (let i = 0; i < variants; i++) {
    const height = heights[i % heights.length];
    const width = Math.round((height * 16) / 9 / 2) * 2;
    const highFrameRate = i >= heights.length;
    const bandwidth = Math.round(height * height * 4.2 * (highFrameRate ? 1.5 : 1)) + 96_000;
    const codec = height >= 1080 ? 'avc1.640028' : 'avc1.4d401f';
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth},AVERAGE-BANDWIDTH=${Math.round(bandwidth * 0.8)},` +
        `RESOLUTION=${width}x${height},FRAME-RATE=${highFrameRate ? '60.000' : '30.000'},` +
        `CODECS="${codec},mp4a.40.2",AUDIO="aac",SUBTITLES="subs",CLOSED-CAPTIONS=NONE`,
    );
    lines.push(`video/${height}p${highFrameRate ? '60' : '30'}/index.m3u8`);
  }
  return `${lines.join('\n')}\n`;
}
