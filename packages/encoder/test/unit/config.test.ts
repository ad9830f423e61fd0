/**
 * Config validation: every bad value is a ConfigError thrown synchronously by
 * `new Encoder(cfg)`, before anything native is opened, with `code`
 * 'BEAMFLOW_CONFIG' and `field` naming the value (and `allowed` where the
 * choices are a short list). Assertions are on code/field/allowed, never on
 * message text.
 */
import { describe, expect, it } from 'vitest';
import { BeamflowError, ConfigError } from '@beamflow/core';
import { ENCODER_TRANSITIONS, Encoder } from '@beamflow/encoder';
import type { EncoderConfig, EncoderState } from '@beamflow/encoder';
import { thrown } from '../helpers.js';

/** Build an Encoder from a config that does not type-check (what a JavaScript caller could pass). */
function make(cfg: unknown): Encoder {
  return new Encoder(cfg as EncoderConfig);
}

function expectConfigError(cfg: unknown, field: string): unknown {
  const t = thrown(() => make(cfg));
  expect(t.error).toBeInstanceOf(ConfigError);
  expect(BeamflowError.isInstance(t.error)).toBe(true);
  expect(t.code).toBe('BEAMFLOW_CONFIG');
  expect(t.field).toBe(field);
  return t.allowed;
}

describe('Encoder config validation (synchronous, typed)', () => {
  it("unknown codec 'h246' → video.codec, with close matches including h264 or libx264", () => {
    const allowed = expectConfigError({ video: { codec: 'h246' } }, 'video.codec');
    expect(Array.isArray(allowed)).toBe(true);
    expect((allowed as string[]).some((n) => n === 'h264' || n === 'libx264')).toBe(true);
  });

  it("'x264' (an encoder-ish typo) → video.codec, suggesting libx264", () => {
    const allowed = expectConfigError({ video: { codec: 'x264' } }, 'video.codec') as string[];
    expect(allowed).toContain('libx264');
  });

  it('an audio encoder as the video codec → video.codec; a video encoder as the audio codec → audio.codec', () => {
    expectConfigError({ video: { codec: 'aac' } }, 'video.codec');
    expectConfigError({ audio: { codec: 'libx264' } }, 'audio.codec');
  });

  it('a codec that is not a string → video.codec / audio.codec', () => {
    expectConfigError({ video: { codec: 264 } }, 'video.codec');
    expectConfigError({ audio: {} }, 'audio.codec');
  });

  it('odd width (and odd height) for yuv420p → video.width / video.height', () => {
    expectConfigError({ video: { codec: 'h264', width: 127, height: 72 } }, 'video.width');
    expectConfigError({ video: { codec: 'h264', width: 128, height: 71, pixelFormat: 'yuv420p' } }, 'video.height');
  });

  it('frameRate 0 and negative → video.frameRate', () => {
    expectConfigError({ video: { codec: 'h264', frameRate: 0 } }, 'video.frameRate');
    expectConfigError({ video: { codec: 'h264', frameRate: -25 } }, 'video.frameRate');
    expectConfigError({ video: { codec: 'h264', frameRate: [-30000, 1001] } }, 'video.frameRate');
    expectConfigError({ video: { codec: 'h264', frameRate: { num: 0, den: 1 } } }, 'video.frameRate');
  });

  it('crf 60 for libx264 → video.crf (its range is 0–51); 60 is fine for VP9', () => {
    expectConfigError({ video: { codec: 'h264', crf: 60 } }, 'video.crf');
    expectConfigError({ video: { codec: 'libx264', crf: -1 } }, 'video.crf');
    expect(make({ video: { codec: 'vp9', crf: 60 } }).state).toBe('initialized');
  });

  it("unknown preset → video.preset, allowed includes 'veryfast'", () => {
    const allowed = expectConfigError({ video: { codec: 'h264', preset: 'superduperfast' } }, 'video.preset');
    expect(allowed).toContain('veryfast');
  });

  it('unknown profile → video.profile, allowed lists the x264 profiles', () => {
    const allowed = expectConfigError({ video: { codec: 'h264', profile: 'extreme' } }, 'video.profile');
    expect(allowed).toContain('high');
  });

  it("audio sampleFormat 's16' for aac → audio.sampleFormat, allowed includes 'fltp'", () => {
    const allowed = expectConfigError({ audio: { codec: 'aac', sampleFormat: 's16' } }, 'audio.sampleFormat');
    expect(allowed).toContain('fltp');
  });

  it('opus at 44100 Hz → audio.sampleRate, allowed includes 48000', () => {
    const allowed = expectConfigError({ audio: { codec: 'opus', sampleRate: 44100 } }, 'audio.sampleRate');
    expect(allowed).toContain('48000');
  });

  it('an unknown private option → video.options.<name> / audio.options.<name>', () => {
    expectConfigError({ video: { codec: 'h264', options: { 'no-such-option': 1 } } }, 'video.options.no-such-option');
    expectConfigError({ audio: { codec: 'aac', options: { bogus: 'x' } } }, 'audio.options.bogus');
  });

  it('a private option with a non-scalar value → video.options.<name>', () => {
    expectConfigError({ video: { codec: 'h264', options: { tune: ['zerolatency'] } } }, 'video.options.tune');
  });

  it('neither video nor audio → config; a non-object → config', () => {
    expectConfigError({}, 'config');
    expectConfigError({ globalHeader: true }, 'config');
    expectConfigError(null, 'config');
    expectConfigError('h264', 'config');
  });

  it('other numeric fields: bitRate, gopSize, maxBFrames, threads, channels, statsInterval', () => {
    expectConfigError({ video: { codec: 'h264', bitRate: 0 } }, 'video.bitRate');
    expectConfigError({ video: { codec: 'h264', gopSize: 1.5 } }, 'video.gopSize');
    expectConfigError({ video: { codec: 'h264', maxBFrames: 17 } }, 'video.maxBFrames');
    expectConfigError({ video: { codec: 'h264', threads: -1 } }, 'video.threads');
    expectConfigError({ audio: { codec: 'aac', channels: 0 } }, 'audio.channels');
    expectConfigError({ audio: { codec: 'aac' }, statsInterval: -5 }, 'statsInterval');
  });

  it('an unknown hwDevice → video.hwDevice', () => {
    const allowed = expectConfigError({ video: { codec: 'h264', hwDevice: 'metal' } }, 'video.hwDevice');
    expect(allowed).toContain('auto');
  });

  it('the first bad field wins when the video config is fine and the audio one is not', () => {
    expectConfigError({ video: { codec: 'h264', preset: 'veryfast', crf: 23 }, audio: { codec: 'opus', sampleRate: 44100 } }, 'audio.sampleRate');
  });
});

describe('a valid config', () => {
  it('resolves codec names to encoders and is initialized at once', () => {
    const enc = new Encoder({
      video: { codec: 'h264', preset: 'veryfast', crf: 23, profile: 'high', frameRate: 25, width: 128, height: 72, options: { tune: 'zerolatency' } },
      audio: { codec: 'opus', sampleRate: 48000, bitRate: 96_000 },
    });
    expect(enc.state).toBe('initialized');
    expect(enc.encoders).toEqual({ video: 'libx264', audio: 'libopus' });
    expect(new Encoder({ video: { codec: 'vp9' } }).encoders).toEqual({ video: 'libvpx-vp9' });
    expect(new Encoder({ audio: { codec: 'aac' } }).encoders).toEqual({ audio: 'aac' });
    expect(new Encoder({ video: { codec: 'libx264' } }).encoders).toEqual({ video: 'libx264' });
  });

  it('stats() before any frame: zeros, duration unknown', () => {
    const s = new Encoder({ video: { codec: 'h264' } }).stats();
    expect(s).toMatchObject({ framesIn: 0, videoFramesIn: 0, packetsOut: 0, bytesOut: 0, fps: 0, speed: 0, time: 0, elapsed: 0 });
    expect(s.duration).toBeUndefined();
  });
});

describe('the transition table', () => {
  const states = Object.keys(ENCODER_TRANSITIONS) as EncoderState[];

  it('has the lifecycle states of the design, with error reachable from every live state and leading to closed', () => {
    expect(new Set(states)).toEqual(new Set(['created', 'initialized', 'headerWritten', 'encoding', 'draining', 'closed', 'error']));
    for (const s of states) {
      if (s === 'closed' || s === 'error') continue;
      expect(ENCODER_TRANSITIONS[s], `${s} → error`).toContain('error');
    }
    expect(ENCODER_TRANSITIONS.error).toEqual(['closed']);
    expect(ENCODER_TRANSITIONS.closed).toEqual([]);
  });

  it('allows the happy path created → initialized → headerWritten → encoding → draining → closed', () => {
    const path: EncoderState[] = ['created', 'initialized', 'headerWritten', 'encoding', 'draining', 'closed'];
    for (let i = 0; i + 1 < path.length; i++) expect(ENCODER_TRANSITIONS[path[i]!]).toContain(path[i + 1]);
  });
});
