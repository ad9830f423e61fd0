/**
 * What flows between stages. Object-mode streams carry typed envelopes, never
 * bare beamcoder objects, so every stage knows which stream a frame or packet
 * belongs to and in which time base its timestamps are counted. A
 * {@link StreamDescriptor} travels before the first frame or packet of each
 * stream — like GStreamer's caps before buffers — so a Muxer learns its streams
 * (codec parameters, time base) without the user copying anything by hand.
 */
import type { Frame, Packet } from './native.js';
import type { Rational } from './rational.js';

/** The kind of a stream of frames: what is decoded, filtered and encoded. */
export type MediaKind = 'video' | 'audio';
/** The kind of any stream a container carries: subtitles travel as packets only (stream copy). */
export type StreamKind = MediaKind | 'subtitle';

/** Codec parameters as a plain object in beamcoder's (FFmpeg's) field names. */
export interface CodecParameters {
  codec_type: StreamKind;
  name: string;
  codec_id?: number;
  codec_tag?: number | string;
  extradata?: Buffer | null;
  format?: string | null;
  bit_rate?: number;
  profile?: number | string;
  level?: number;
  width?: number;
  height?: number;
  sample_aspect_ratio?: [number, number];
  color_range?: string;
  color_primaries?: string;
  color_trc?: string;
  color_space?: string;
  chroma_location?: string;
  field_order?: string;
  video_delay?: number;
  channel_layout?: string;
  channels?: number;
  sample_rate?: number;
  frame_size?: number;
  initial_padding?: number;
  trailing_padding?: number;
  block_align?: number;
  bits_per_coded_sample?: number;
  bits_per_raw_sample?: number;
  seek_preroll?: number;
}

/**
 * Keyframes a consumer needs, in seconds of the stream's own time counted from
 * its first frame (ffmpeg's `-force_key_frames`): one every `every` seconds,
 * and one at each time in `at`.
 */
export interface KeyframeRequest {
  every?: number;
  at?: readonly number[];
}

/**
 * Needs that travel against the flow, from a consumer back to the stage that
 * can meet them (GStreamer's upstream events): a stage that can, such as the
 * Encoder, puts one on the descriptors it sends; stages in between (Rescaler,
 * tee) pass the descriptor on with it; a Muxer writing HLS or DASH asks it for
 * a keyframe at each segment boundary.
 */
export interface Upstream {
  requestKeyframes(request: KeyframeRequest): void;
}

/** Announces a stream: sent downstream before its first frame or packet, and again if it changes. */
export interface StreamDescriptor {
  readonly type: 'stream';
  readonly streamId: number;
  readonly kind: StreamKind;
  /** Time base of the timestamps of this stream's frames or packets. */
  readonly timeBase: Rational;
  /** Codec parameters; `name: 'rawvideo'` / `'pcm'` style names for uncoded frames. */
  readonly codecpar: CodecParameters;
  /** Nominal frame rate (video). */
  readonly frameRate?: Rational;
  /** Duration of the stream in `timeBase` units, when known (a file, a bounded source). */
  readonly duration?: bigint;
  /** Whether packets are coded (`true`) or the stream carries raw frames (`false`). */
  readonly coded: boolean;
  /**
   * How a player must turn the video (FFmpeg's display matrix, nine int32): present when the
   * pixels are not stored upright and nothing turned them (see `autorotate`).
   */
  readonly displayMatrix?: readonly number[];
  /** The stream's language as its source tagged it (ISO 639-2, `'eng'`), when it did. */
  readonly language?: string;
  /**
   * A cut the source asked for (`start`/`end`), in `timeBase` units: packets from the keyframe
   * before `from` are sent so the first frame can be decoded, and a decoder shows only frames
   * with `from <= pts < to`. Absent when the stream is not cut.
   */
  readonly trim?: { readonly from?: bigint; readonly to?: bigint };
  /** Where requests for this stream go upstream, when a stage before can meet them. */
  readonly upstream?: Upstream;
}

/** A decoded (or generated) frame of one stream. */
export interface FrameEnvelope {
  readonly type: 'frame';
  readonly kind: MediaKind;
  readonly frame: Frame;
  readonly streamId: number;
  /** Time base of `frame.pts`. */
  readonly timeBase: Rational;
}

/** A coded packet of one stream. */
export interface PacketEnvelope {
  readonly type: 'packet';
  readonly kind: StreamKind;
  readonly packet: Packet;
  readonly streamId: number;
  /** Time base of `packet.pts`, `packet.dts` and `packet.duration`. */
  readonly timeBase: Rational;
}

/** Anything an object-mode beamflow stream carries. */
export type Envelope = StreamDescriptor | FrameEnvelope | PacketEnvelope;

/** Type guards, for stages that accept more than one envelope kind. */
export function isStreamDescriptor(x: unknown): x is StreamDescriptor {
  return typeof x === 'object' && x !== null && (x as { type?: unknown }).type === 'stream';
}
export function isFrameEnvelope(x: unknown): x is FrameEnvelope {
  return typeof x === 'object' && x !== null && (x as { type?: unknown }).type === 'frame';
}
export function isPacketEnvelope(x: unknown): x is PacketEnvelope {
  return typeof x === 'object' && x !== null && (x as { type?: unknown }).type === 'packet';
}

/** Copy the codec parameters out of a beamcoder codecpar or codec context into a plain object. */
export function codecParametersFrom(src: Record<string, unknown>, kind: StreamKind, name: string): CodecParameters {
  const keys: Array<keyof CodecParameters> = [
    'codec_id', 'codec_tag', 'extradata', 'format', 'bit_rate', 'profile', 'level', 'width', 'height',
    'sample_aspect_ratio', 'color_range', 'color_primaries', 'color_trc', 'color_space', 'chroma_location',
    'field_order', 'video_delay', 'channel_layout', 'channels', 'sample_rate', 'frame_size', 'initial_padding',
    'trailing_padding', 'block_align', 'bits_per_coded_sample', 'bits_per_raw_sample', 'seek_preroll',
  ];
  const out: CodecParameters = { codec_type: kind, name };
  for (const k of keys) {
    const v = src[k];
    if (v !== undefined && v !== null) (out as unknown as Record<string, unknown>)[k] = v;
  }
  if (kind !== 'audio') {
    delete out.channel_layout;
    delete out.channels;
    delete out.sample_rate;
    delete out.frame_size;
  }
  if (kind !== 'video') {
    delete out.width;
    delete out.height;
    delete out.sample_aspect_ratio;
  }
  return out;
}
