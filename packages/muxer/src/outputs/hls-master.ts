/**
 * The master playlist of an HLS ladder: one variant per rendition, each
 * written by its own Muxer (one encoder per output). BANDWIDTH is measured
 * from what was written — the peak segment bit rate, as the HLS spec asks —
 * unless given; CODECS comes from the renditions' stream descriptors.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ConfigError, type StreamDescriptor } from '@beamflow/core';

/** One rendition of a ladder. */
export interface HlsVariant {
  /** Path of the rendition's media playlist. */
  playlist: string;
  width?: number;
  height?: number;
  /** RFC 6381 codec string, e.g. 'avc1.64001f,mp4a.40.2'; see {@link codecsOf}. */
  codecs?: string;
  /** Peak bits per second; measured from the segments when left out. */
  bandwidth?: number;
  frameRate?: number;
}

/** RFC 6381 codec strings of H.264 and AAC streams, from their descriptors. */
export function codecsOf(descriptors: readonly StreamDescriptor[]): string {
  const out: string[] = [];
  // Video first, as players and the HLS authoring guidelines list them.
  const ordered = [...descriptors].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'video' ? -1 : 1));
  for (const d of ordered) {
    const p = d.codecpar;
    if (p.name === 'h264') {
      const ed = p.extradata;
      // avcC (MP4-style extradata) carries profile, constraints and level at bytes 1..3;
      // Annex B extradata starts with a start code, and the SPS follows its NAL header.
      let bytes: [number, number, number] | undefined;
      if (ed && ed.length > 4 && ed[0] === 1) bytes = [ed[1]!, ed[2]!, ed[3]!];
      else if (ed && ed.length > 8) {
        const i = ed.indexOf(Buffer.from([0, 0, 1]));
        if (i >= 0 && ed.length > i + 6) bytes = [ed[i + 4]!, ed[i + 5]!, ed[i + 6]!];
      }
      if (bytes) out.push(`avc1.${bytes.map((b) => b.toString(16).padStart(2, '0')).join('')}`);
      else out.push('avc1.640028');
    } else if (p.name === 'hevc') out.push('hvc1.1.6.L93.B0');
    else if (p.name === 'aac') out.push('mp4a.40.2');
    else if (p.name === 'mp3') out.push('mp4a.40.34');
    else if (p.name === 'opus') out.push('opus');
  }
  return out.join(',');
}

/** Peak bit rate of a media playlist's segments. */
export function peakBandwidth(playlist: string): number {
  const lines = readFileSync(playlist, 'utf8').split(/\r?\n/);
  let peak = 0;
  let dur = 0;
  for (const line of lines) {
    if (line.startsWith('#EXTINF:')) dur = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith('#') && dur > 0) {
      const size = statSync(join(dirname(playlist), line)).size;
      peak = Math.max(peak, Math.ceil((size * 8) / dur));
      dur = 0;
    }
  }
  return peak;
}

/** Write a master playlist referencing each variant relative to its own location. */
export function writeHlsMasterPlaylist(path: string, variants: readonly HlsVariant[]): string {
  if (variants.length === 0) throw new ConfigError('variants', 'a master playlist needs at least one variant');
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of [...variants].sort((a, b) => (b.height ?? 0) - (a.height ?? 0))) {
    const bw = v.bandwidth ?? peakBandwidth(v.playlist);
    const attrs = [`BANDWIDTH=${bw}`];
    if (v.width && v.height) attrs.push(`RESOLUTION=${v.width}x${v.height}`);
    if (v.frameRate) attrs.push(`FRAME-RATE=${v.frameRate.toFixed(3)}`);
    if (v.codecs) attrs.push(`CODECS="${v.codecs}"`);
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, relative(dirname(path), v.playlist));
  }
  const text = `${lines.join('\n')}\n`;
  writeFileSync(path, text);
  return text;
}
