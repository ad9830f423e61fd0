/**
 * Finding an encoder by name. The Encoder looks up the encoder a config names alone (the
 * fork's `encoders(name)`) instead of describing every encoder FFmpeg has at each start; the
 * one entry must be the table's entry, and names that are not an encoder's still resolve as
 * codec names or fail with close matches.
 */
import { describe, expect, it } from 'vitest';
import { beamcoder, ConfigError } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { thrown } from '../helpers.js';

describe('encoders(name)', () => {
  it("describes that encoder alone, as the whole table does", () => {
    const all = beamcoder().encoders() as unknown as Record<string, unknown>;
    for (const name of ['libx264', 'aac', 'libopus', 'mpeg4']) {
      const one = beamcoder().encoders(name) as unknown as Record<string, unknown>;
      expect(Object.keys(one)).toEqual([name]);
      expect(one[name]).toEqual(all[name]);
    }
  });

  it('answers no entry for a name no encoder has: a decoder-only codec, a typo, an overlong name', () => {
    for (const name of ['h264', 'x264', '', 'libx264'.repeat(60)]) {
      expect(Object.keys(beamcoder().encoders(name))).toEqual([]);
    }
  });
});

describe('the Encoder resolves names with it', () => {
  it('an encoder name, a codec name with a preferred encoder, and a codec name found by search', () => {
    expect(new Encoder({ video: { codec: 'libx264' } }).encoders.video).toBe('libx264');
    expect(new Encoder({ video: { codec: 'h264' } }).encoders.video).toBe('libx264');
    expect(new Encoder({ audio: { codec: 'aac' } }).encoders.audio).toBe('aac');
    // No PREFERRED entry: found by searching the table for encoders of the codec.
    expect(new Encoder({ video: { codec: 'mpeg1video' } }).encoders.video).toBe('mpeg1video');
    expect(new Encoder({ video: { codec: 'png' } }).encoders.video).toBe('png');
  });

  it('a name that is neither is a ConfigError with close matches', () => {
    const t = thrown(() => new Encoder({ video: { codec: 'libx246' } }));
    expect(t.error).toBeInstanceOf(ConfigError);
    expect(t.field).toBe('video.codec');
    expect(t.allowed).toContain('libx264');
  });
});
