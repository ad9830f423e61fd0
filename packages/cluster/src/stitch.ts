/**
 * Stitching: the encoded pieces of a flow become its output, by stream copy
 * (no decoding, no encoding).
 *
 * MP4 (`stitchMp4`)
 * - The video pieces are read in order (`demuxFile`), each packet moved by its
 *   segment's place in the input (`firstPts`: each piece starts at zero), and
 *   the audio file is read beside them; the two are interleaved by DTS here
 *   (FFmpeg's interleaving queue would otherwise hold one stream's packets
 *   while it waits for the other's), then Rescaler → Muxer with `faststart`:
 *   the index is moved before the media when the trailer is written.
 * - Checked on the way: every piece has the codec parameters of the first
 *   (the same SPS/PPS, or the joined stream could not be decoded by one
 *   decoder), and DTS strictly increase across each join (a
 *   {@link TimestampError} otherwise). With x264's delay of two frames a
 *   piece's first DTS is two frames before its first frame, which is still
 *   after the previous piece's last DTS (three frames before the join).
 *
 * HLS (`writeHlsPlaylists`)
 * - The pieces are already HLS segments (MPEG-TS at their place in the
 *   input): each rendition's segments are moved (renamed) into
 *   `OUT/<name>/`, a VOD media playlist is written over them from the
 *   coordinator's plan, the audio rendition's directory is moved to
 *   `OUT/audio/`, and `OUT/master.m3u8` lists the renditions with measured
 *   peak bandwidth, CODECS and the audio group.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  InputError, NOPTS, TimestampError, compareTs, demuxFile, rescale, type Envelope, type PacketEnvelope, type Rational, type StreamDescriptor,
} from '@beamflow/core';
import { Muxer, Rescaler, codecsOf, peakBandwidth } from '@beamflow/muxer';

/** A piece of the video, and where it goes in the output. */
export interface StitchPiece {
  /** The piece's file (absolute). */
  file: string;
  /** Presentation time of its first frame in the output, in ticks of `timeBase`. */
  firstPts: bigint;
}

/** What the MP4 stitch wrote. */
export interface StitchResult {
  videoPackets: number;
  audioPackets: number;
}

type Item = { desc: StreamDescriptor } | { packet: PacketEnvelope };

function sameBytes(a: Buffer | null | undefined, b: Buffer | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return Buffer.compare(a, b) === 0;
}

/** The video pieces' descriptor, then their packets, moved to their place and checked. */
async function* videoItems(pieces: readonly StitchPiece[], timeBase: Rational): AsyncGenerator<Item> {
  let first: StreamDescriptor | undefined;
  let lastDts: bigint | undefined;
  for (const piece of pieces) {
    let offset = 0n;
    let tb: Rational | undefined;
    for await (const e of demuxFile(piece.file, { audio: false }) as AsyncIterable<Envelope>) {
      if (e.type === 'stream') {
        tb = e.timeBase;
        offset = rescale(piece.firstPts, timeBase, tb);
        if (rescale(offset, tb, timeBase) !== piece.firstPts) {
          throw new TimestampError(0, `${piece.file}: its time base ${tb.num}/${tb.den} cannot hold the segment's start exactly`);
        }
        if (!first) {
          first = e;
          // The first piece's length is not the output's: the descriptor goes without one.
          const { duration: _pieceLength, ...desc } = e;
          yield { desc: { ...desc, streamId: 0 } };
        } else if (e.codecpar.name !== first.codecpar.name || e.codecpar.width !== first.codecpar.width || e.codecpar.height !== first.codecpar.height
          || !sameBytes(e.codecpar.extradata, first.codecpar.extradata) || tb.num !== first.timeBase.num || tb.den !== first.timeBase.den) {
          throw new InputError(piece.file, 'was encoded with other codec parameters than the first segment (size, SPS/PPS or time base differ); the pieces cannot be joined by stream copy');
        }
        continue;
      }
      if (e.type !== 'packet') continue;
      const p = e.packet;
      const move = (v: number | null | undefined): number | null | undefined => (v === null || v === undefined || BigInt(v) === NOPTS ? v : Number(BigInt(v) + offset));
      p.pts = move(p.pts) as number;
      p.dts = move(p.dts) as number;
      const dts = p.dts === null || p.dts === undefined ? undefined : BigInt(p.dts);
      if (dts !== undefined && lastDts !== undefined && dts <= lastDts) {
        throw new TimestampError(0, `${piece.file}: DTS ${dts} after ${lastDts} at the join (a segment overlaps the one before it)`);
      }
      if (dts !== undefined) lastDts = dts;
      yield { packet: { ...e, streamId: 0 } };
    }
  }
}

/** The audio file's descriptor, then its packets. */
async function* audioItems(file: string): AsyncGenerator<Item> {
  for await (const e of demuxFile(file, { video: false }) as AsyncIterable<Envelope>) {
    if (e.type === 'stream') yield { desc: { ...e, streamId: 1 } };
    else if (e.type === 'packet') yield { packet: { ...e, streamId: 1 } };
  }
}

function dtsOf(e: PacketEnvelope): bigint {
  const t = e.packet.dts ?? e.packet.pts;
  return t === null || t === undefined ? 0n : BigInt(t);
}

/** Both streams' descriptors first, then their packets in DTS order. */
async function* interleave(video: AsyncGenerator<Item>, audio: AsyncGenerator<Item> | undefined): AsyncGenerator<Envelope> {
  const sources = audio ? [video, audio] : [video];
  try {
    const heads: Array<PacketEnvelope | undefined> = [];
    for (const s of sources) {
      const d = await s.next();
      if (d.done || !('desc' in d.value)) throw new InputError('segments', 'a piece has no stream');
      yield d.value.desc;
      const n = await s.next();
      heads.push(n.done ? undefined : (n.value as { packet: PacketEnvelope }).packet);
    }
    for (;;) {
      let pick = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (!h) continue;
        const best = pick < 0 ? undefined : heads[pick]!;
        if (!best || compareTs(dtsOf(h), h.timeBase, dtsOf(best), best.timeBase) < 0) pick = i;
      }
      if (pick < 0) return;
      yield heads[pick]!;
      const n = await sources[pick]!.next();
      heads[pick] = n.done ? undefined : (n.value as { packet: PacketEnvelope }).packet;
    }
  } finally {
    // An early end (an error downstream) closes every piece's demuxer.
    await Promise.all(sources.map((s) => s.return(undefined)));
  }
}

/** Join the video pieces and the audio into one MP4 with its index first. */
export async function stitchMp4(opts: { pieces: readonly StitchPiece[]; timeBase: Rational; audio?: string; output: string; signal?: AbortSignal }): Promise<StitchResult> {
  const counts = { videoPackets: 0, audioPackets: 0 };
  const video = videoItems(opts.pieces, opts.timeBase);
  const audio = opts.audio ? audioItems(opts.audio) : undefined;
  const source = Readable.from((async function* () {
    for await (const e of interleave(video, audio)) {
      if (e.type === 'packet') {
        if (e.streamId === 0) counts.videoPackets++;
        else counts.audioPackets++;
      }
      yield e;
    }
  })(), { objectMode: true, highWaterMark: 16 });
  await pipeline([source, new Rescaler(), new Muxer({ format: 'mp4', output: opts.output, faststart: true })], opts.signal ? { signal: opts.signal } : {});
  return counts;
}

/** A rendition's pieces for the HLS playlists. */
export interface HlsRendition {
  name: string;
  width: number | null;
  height: number | null;
  /** Segment files (absolute), in order. */
  files: string[];
}

function mediaPlaylist(names: readonly string[], durations: readonly number[]): string {
  const target = Math.max(1, ...durations.map((d) => Math.ceil(d - 1e-6)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-INDEPENDENT-SEGMENTS'];
  names.forEach((n, i) => lines.push(`#EXTINF:${durations[i]!.toFixed(6)},`, n));
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

/**
 * Move the HLS pieces into `dir` and write the media playlists and the master playlist over
 * them. `durations` are the segments' lengths in seconds; `audioDir` the audio rendition (its
 * own playlist, written by FFmpeg's HLS muxer).
 */
export function writeHlsPlaylists(opts: {
  dir: string; renditions: readonly HlsRendition[]; durations: readonly number[]; audioDir?: string;
  descriptors: { video: StreamDescriptor[]; audio?: StreamDescriptor }; frameRate?: number;
}): { master: string; playlists: string[] } {
  mkdirSync(opts.dir, { recursive: true });
  const playlists: string[] = [];
  let audioBandwidth = 0;
  if (opts.audioDir) {
    const to = join(opts.dir, 'audio');
    if (existsSync(to)) rmSync(to, { recursive: true, force: true });
    renameSync(opts.audioDir, to);
    audioBandwidth = peakBandwidth(join(to, 'index.m3u8'));
    playlists.push(join(to, 'index.m3u8'));
  }
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  const audioCodecs = opts.descriptors.audio ? codecsOf([opts.descriptors.audio]) : '';
  if (opts.audioDir) lines.push(`#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,URI="audio/index.m3u8"`);
  const order = [...opts.renditions.keys()].sort((a, b) => (opts.renditions[b]!.height ?? 0) - (opts.renditions[a]!.height ?? 0));
  for (const i of order) {
    const r = opts.renditions[i]!;
    const rdir = join(opts.dir, r.name);
    if (existsSync(rdir)) rmSync(rdir, { recursive: true, force: true });
    mkdirSync(rdir, { recursive: true });
    const names = r.files.map((f, k) => {
      const name = `seg-${String(k).padStart(5, '0')}.ts`;
      renameSync(f, join(rdir, name));
      return name;
    });
    const playlist = join(rdir, 'index.m3u8');
    writeFileSync(playlist, mediaPlaylist(names, opts.durations));
    playlists.push(playlist);
    const desc = opts.descriptors.video[i];
    const codecs = [desc ? codecsOf([desc]) : 'avc1.640028', audioCodecs].filter((c) => c !== '').join(',');
    const attrs = [`BANDWIDTH=${peakBandwidth(playlist) + audioBandwidth}`];
    if (r.width && r.height) attrs.push(`RESOLUTION=${r.width}x${r.height}`);
    if (opts.frameRate) attrs.push(`FRAME-RATE=${opts.frameRate.toFixed(3)}`);
    attrs.push(`CODECS="${codecs}"`);
    if (opts.audioDir) attrs.push('AUDIO="audio"');
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, `${r.name}/index.m3u8`);
  }
  const master = join(opts.dir, 'master.m3u8');
  writeFileSync(master, `${lines.join('\n')}\n`);
  return { master, playlists };
}
