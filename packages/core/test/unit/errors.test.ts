/**
 * The error family: stable codes, the data each subclass carries, branding
 * that survives duplicate installs, "did you mean" suggestions, and the
 * conversion of beamcoder's rejections.
 */
import { describe, expect, it } from 'vitest';
import {
  AbortError, BeamflowError, OverflowError, ConfigError, DeviceUnavailableError, FFmpegError, InputError, NativeLoadError,
  StateError, TimestampError, closestNames, toFFmpegError,
} from '../../src/errors.js';
import type { BeamflowErrorCode } from '../../src/errors.js';

const BRAND = Symbol.for('beamflow.error');

describe('error codes and names', () => {
  const cases: Array<[BeamflowError, BeamflowErrorCode, string]> = [
    [new BeamflowError('BEAMFLOW_ERROR', 'x'), 'BEAMFLOW_ERROR', 'BeamflowError'],
    [new ConfigError('video.crf', 'out of range'), 'BEAMFLOW_CONFIG', 'ConfigError'],
    [new StateError('created', 'encoding'), 'BEAMFLOW_STATE', 'StateError'],
    [new FFmpegError('encode', 'boom', -22), 'BEAMFLOW_FFMPEG', 'FFmpegError'],
    [new NativeLoadError('no addon'), 'BEAMFLOW_NATIVE_MISSING', 'NativeLoadError'],
    [new InputError('in.mp4', 'missing'), 'BEAMFLOW_INPUT', 'InputError'],
    [new TimestampError(1, 'DTS went backwards'), 'BEAMFLOW_TIMESTAMP', 'TimestampError'],
    [new DeviceUnavailableError('cuda', ['no driver']), 'BEAMFLOW_DEVICE_UNAVAILABLE', 'DeviceUnavailableError'],
    [new AbortError(), 'BEAMFLOW_ABORTED', 'AbortError'],
    [new OverflowError(64, 'buffer full'), 'BEAMFLOW_OVERFLOW', 'OverflowError'],
  ];

  for (const [err, code, name] of cases) {
    it(`${name} has code ${code}`, () => {
      expect(err.code).toBe(code);
      expect(err.name).toBe(name);
      expect(err).toBeInstanceOf(BeamflowError);
      expect(err).toBeInstanceOf(Error);
      expect(BeamflowError.isInstance(err)).toBe(true);
      expect(typeof err.message).toBe('string');
      expect(err.message.length).toBeGreaterThan(0);
    });
  }

  it('a BeamflowError can carry any code of the family', () => {
    expect(new BeamflowError('BEAMFLOW_TIMESTAMP', 'x').code).toBe('BEAMFLOW_TIMESTAMP');
  });
});

describe('error data', () => {
  it('ConfigError carries field and allowed', () => {
    const e = new ConfigError('video.preset', 'unknown preset', ['fast', 'medium', 'slow']);
    expect(e.field).toBe('video.preset');
    expect(e.allowed).toEqual(['fast', 'medium', 'slow']);
    expect(new ConfigError('video.crf', 'out of range').allowed).toBeUndefined();
  });

  it('StateError carries from and to', () => {
    const e = new StateError('closed', 'encoding', 'Encoder');
    expect(e.from).toBe('closed');
    expect(e.to).toBe('encoding');
  });

  it('FFmpegError carries averror, op and cause', () => {
    const cause = new Error('native');
    const e = new FFmpegError('open decoder', 'Invalid argument', -22, { cause });
    expect(e.averror).toBe(-22);
    expect(e.op).toBe('open decoder');
    expect(e.cause).toBe(cause);
    expect(new FFmpegError('encode', 'x').averror).toBeUndefined();
  });

  it('DeviceUnavailableError carries kind and reasons', () => {
    const e = new DeviceUnavailableError('cuda', ['h264_nvenc: no NVENC on this GPU', 'hevc_nvenc: no NVENC']);
    expect(e.kind).toBe('cuda');
    expect(e.reasons).toEqual(['h264_nvenc: no NVENC on this GPU', 'hevc_nvenc: no NVENC']);
    const none = new DeviceUnavailableError('vaapi', []);
    expect(none.kind).toBe('vaapi');
    expect(none.reasons).toEqual([]);
  });

  it('InputError carries input, TimestampError carries streamId', () => {
    expect(new InputError('rtmp://x/live', 'refused').input).toBe('rtmp://x/live');
    expect(new TimestampError(3, 'x').streamId).toBe(3);
  });

  it('cause is kept where the constructor takes one', () => {
    const cause = new Error('inner');
    expect(new NativeLoadError('x', { cause }).cause).toBe(cause);
    expect(new InputError('a', 'x', { cause }).cause).toBe(cause);
    expect(new AbortError('x', { cause }).cause).toBe(cause);
    expect(new BeamflowError('BEAMFLOW_ERROR', 'x', { cause }).cause).toBe(cause);
  });
});

describe('BeamflowError.isInstance', () => {
  it('is true for an error of another copy of the package (same registered brand, different class)', () => {
    // What a duplicate install's class looks like: its own class objects, the same Symbol.for brand.
    class OtherCopyError extends Error {
      readonly code = 'BEAMFLOW_CONFIG';
      readonly [BRAND] = true;
    }
    const foreign = new OtherCopyError('from another copy');
    expect(foreign).not.toBeInstanceOf(BeamflowError);
    expect(BeamflowError.isInstance(foreign)).toBe(true);

    const plain = Object.assign(new Error('branded by hand'), { [BRAND]: true });
    expect(BeamflowError.isInstance(plain)).toBe(true);
    expect(BeamflowError.isInstance({ [BRAND]: true })).toBe(true);
  });

  it('is false for plain Errors, look-alikes and non-objects', () => {
    expect(BeamflowError.isInstance(new Error('x'))).toBe(false);
    expect(BeamflowError.isInstance(new RangeError('x'))).toBe(false);
    expect(BeamflowError.isInstance(Object.assign(new Error('x'), { code: 'BEAMFLOW_CONFIG' }))).toBe(false);
    expect(BeamflowError.isInstance({ [Symbol('beamflow.error')]: true })).toBe(false); // unregistered symbol
    expect(BeamflowError.isInstance({ [BRAND]: 'yes' })).toBe(false);
    expect(BeamflowError.isInstance(null)).toBe(false);
    expect(BeamflowError.isInstance(undefined)).toBe(false);
    expect(BeamflowError.isInstance('BEAMFLOW_CONFIG')).toBe(false);
  });
});

describe('closestNames', () => {
  const encoders = ['aac', 'h264_nvenc', 'libvpx-vp9', 'libx265', 'libx264', 'libopus', 'mpeg4'];

  it("puts 'libx264' first for 'libx246'", () => {
    const names = closestNames('libx246', encoders);
    expect(names[0]).toBe('libx264');
    expect(names).not.toContain('aac');
    expect(names).not.toContain('h264_nvenc');
  });

  it('is case-insensitive and keeps the original spelling', () => {
    expect(closestNames('LIBX264', encoders)[0]).toBe('libx264');
    expect(closestNames('libopus', ['LibOpus'])).toEqual(['LibOpus']);
  });

  it('counts a substring as close', () => {
    expect(closestNames('x264', encoders)[0]).toBe('libx264');
  });

  it('returns at most max names and nothing for far names', () => {
    expect(closestNames('libx26', encoders, 1)).toHaveLength(1);
    expect(closestNames('zzzzzzzzzzzz', encoders)).toEqual([]);
    expect(closestNames('libx264', [])).toEqual([]);
  });
});

describe('toFFmpegError', () => {
  it('returns an existing BeamflowError as is', () => {
    const e = new ConfigError('video.crf', 'bad');
    expect(toFFmpegError('encode', e)).toBe(e);
    const state = new StateError('closed', 'encoding');
    expect(toFFmpegError('encode', state)).toBe(state);
  });

  it('returns a branded error of another copy as is', () => {
    const foreign = Object.assign(new Error('other copy'), { [BRAND]: true, code: 'BEAMFLOW_INPUT' });
    expect(toFFmpegError('encode', foreign)).toBe(foreign);
  });

  it('wraps a plain Error in an FFmpegError with op, cause and a numeric code', () => {
    const cause = Object.assign(new Error('Invalid argument'), { code: -22 });
    const e = toFFmpegError('open encoder', cause);
    expect(e).toBeInstanceOf(FFmpegError);
    expect(e).toMatchObject({ code: 'BEAMFLOW_FFMPEG', op: 'open encoder', averror: -22 });
    expect(e.cause).toBe(cause);
  });

  it("drops beamcoder's source location from the message; the cause keeps it", () => {
    const cause = new Error('In file ../src/encode.cc on line 278, found error: Problem opening encoder: Invalid argument');
    const e = toFFmpegError('encode (libx264)', cause);
    expect(e.message).not.toMatch(/In file|\.cc/);
    expect(e.message).toMatch(/Problem opening encoder: Invalid argument/);
    expect((e.cause as Error).message).toMatch(/^In file \.\.\/src\/encode\.cc/);
  });

  it('reads averror from a numeric string code or from the message', () => {
    expect(toFFmpegError('x', Object.assign(new Error('nope'), { code: '-11' }))).toMatchObject({ averror: -11 });
    expect(toFFmpegError('x', new Error('Encode failed: error code -541478725'))).toMatchObject({ averror: -541478725 });
    expect(toFFmpegError('x', new Error('Resource temporarily unavailable (-11)'))).toMatchObject({ averror: -11 });
    expect(toFFmpegError('x', new Error('no number here'))).toMatchObject({ code: 'BEAMFLOW_FFMPEG', averror: undefined });
  });

  it('wraps non-Error rejections (beamcoder rejects with plain values sometimes)', () => {
    const e = toFFmpegError('write header', 'something failed');
    expect(e).toBeInstanceOf(FFmpegError);
    expect(e).toMatchObject({ code: 'BEAMFLOW_FFMPEG', op: 'write header' });
    expect(e.cause).toBe('something failed');
  });
});
