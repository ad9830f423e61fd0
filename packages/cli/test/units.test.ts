/**
 * The command's pure parts, in process: the terminal progress bar (a child
 * process never has a TTY here), the error → exit code mapping, option
 * parsing and the second-signal exit.
 */
import { ConfigError, FFmpegError, InputError, DeviceUnavailableError } from '@beamflow/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { classify, UsageError } from '../src/failures.js';
import { formatHardwareTable, hardwareTable } from '../src/hw-table.js';
import { parseCommand, parseLadder, parseSize, type OptionSpec } from '../src/options.js';
import { resolveOutput } from '../src/output.js';
import { formatBar, formatClock, ProgressReporter, progressMode, type ProgressSnapshot } from '../src/progress.js';
import { Interrupts } from '../src/run.js';

const snap = (over: Partial<ProgressSnapshot> = {}): ProgressSnapshot => ({
  frames: 250, fps: 312.4, speed: 12.5, time: 10, duration: 40, bytes: 123_456, elapsed: 0.8, ...over,
});

function fakeStream(isTTY: boolean, columns = 80): { write(s: string): boolean; isTTY: boolean; columns: number; text: () => string } {
  const chunks: string[] = [];
  return { isTTY, columns, write: (s: string) => chunks.push(s) > 0, text: () => chunks.join('') };
}

describe('progress', () => {
  it('a terminal gets one line redrawn in place, with percentage and ETA, never wider than the terminal', () => {
    const tty = fakeStream(true, 90);
    expect(progressMode({}, tty)).toBe('bar');
    const p = new ProgressReporter('bar', tty);
    p.update(snap(), 0);
    p.update(snap({ time: 20, frames: 500 }), 1000);
    p.finish(snap({ time: 40, frames: 1000 }));
    const draws = tty.text().split('\r\x1b[2K').filter(Boolean);
    expect(draws).toHaveLength(3);
    expect(draws[0]).toBe('[#####...............]  25%  frames 250  312 fps  12.50x  0:00:10.00  ETA 2s');
    for (const d of draws) expect(d.replace(/\n$/, '').length).toBeLessThanOrEqual(89);
    expect(tty.text().endsWith('[####################] 100%  frames 1000  312 fps  12.50x  0:00:40.00  ETA 0s\n')).toBe(true);
    expect(tty.text().split('\n')).toHaveLength(2); // one line, closed once at the end
  });

  it('a terminal redraws at most every 200 ms; lines every 2 s; the first update always shows', () => {
    const tty = fakeStream(true);
    const bar = new ProgressReporter('bar', tty);
    for (let t = 0; t < 1000; t += 50) bar.update(snap(), t);
    expect(tty.text().split('\r').length - 1).toBe(5);
    const log = fakeStream(false);
    const lines = new ProgressReporter('lines', log);
    for (let t = 0; t < 5000; t += 100) lines.update(snap(), t);
    expect(log.text().split('\n').filter(Boolean)).toHaveLength(3);
    expect(log.text()).not.toContain('\r');
  });

  it('a narrow terminal loses the bar first, then the end of the line', () => {
    expect(formatBar(snap(), 70)).toBe(' 25%  frames 250  312 fps  12.50x  0:00:10.00  ETA 2s');
    expect(formatBar(snap(), 30)).toBe(' 25%  frames 250  312 fps  12');
  });

  it('an unknown length shows no percentage or ETA', () => {
    expect(formatBar(snap({ duration: undefined }), 120)).toBe('frames 250  312 fps  12.50x  0:00:10.00');
  });

  it('messages move the bar out of the way; json mode prints only JSON', () => {
    const tty = fakeStream(true);
    const bar = new ProgressReporter('bar', tty);
    bar.update(snap(), 0);
    bar.say('hello');
    expect(tty.text().endsWith('\r\x1b[2Khello\n')).toBe(true);
    const err = fakeStream(false);
    const json = new ProgressReporter('json', err);
    json.say('not shown');
    json.update(snap(), 0);
    json.event('end', { exitCode: 0 });
    expect(err.text().trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { event: 'progress', frames: 250, fps: 312.4, speed: 12.5, time: 10, bytes: 123_456, elapsed: 0.8, duration: 40, percent: 25, eta: 2.4 },
      { event: 'end', exitCode: 0 },
    ]);
  });

  it('formats clock times', () => {
    expect(formatClock(0)).toBe('0:00:00.00');
    expect(formatClock(3725.5)).toBe('1:02:05.50');
  });
});

describe('exit codes', () => {
  it('maps beamflow errors by code', () => {
    expect(classify(new UsageError('x'))).toMatchObject({ exitCode: 2, code: 'BEAMFLOW_USAGE' });
    expect(classify(new ConfigError('video.preset', 'unknown preset "x"', ['fast']))).toEqual({ exitCode: 2, code: 'BEAMFLOW_CONFIG', message: '--preset: unknown preset "x"' });
    // A field is named by the flag of the command that has it, and left as it is otherwise.
    expect(classify(new ConfigError('width', 'must be even'), new Set(['size', 'crf']))).toMatchObject({ message: '--size: must be even' });
    expect(classify(new ConfigError('width', 'must be even'), new Set(['width', 'every']))).toMatchObject({ message: 'width: must be even' });
    expect(classify(new InputError('in.mp4', 'no such file'))).toMatchObject({ exitCode: 3, code: 'BEAMFLOW_INPUT' });
    expect(classify(new FFmpegError('decode in.mp4 stream 0', 'Invalid data'))).toMatchObject({ exitCode: 3 });
    expect(classify(new FFmpegError('encode (libx264)', 'failed'))).toMatchObject({ exitCode: 1, code: 'BEAMFLOW_FFMPEG' });
    expect(classify(new FFmpegError('write packet (stream 0, dts 3)', 'I/O error'))).toMatchObject({ exitCode: 1 });
    expect(classify(new DeviceUnavailableError('cuda', ['no driver']))).toMatchObject({ exitCode: 1, code: 'BEAMFLOW_DEVICE_UNAVAILABLE' });
    expect(classify(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toMatchObject({ exitCode: 1, code: 'EPIPE' });
    expect(classify(new Error('boom'))).toEqual({ exitCode: 1, code: 'ERROR', message: 'boom' });
  });
});

describe('options', () => {
  const specs: OptionSpec[] = [
    { name: 'size', type: 'string', default: '1280x720', help: '' },
    { name: 'json', type: 'boolean', help: '' },
  ];

  it('fills defaults, remembers what was given, refuses extra arguments', () => {
    const p = parseCommand('encode', specs, ['--json'], 0);
    expect(p.values).toMatchObject({ size: '1280x720', json: true });
    expect([...p.given]).toEqual(['json']);
    expect(() => parseCommand('encode', specs, ['x'], 0)).toThrow(/unexpected argument 'x' for 'beamflow encode'/);
    expect(() => parseCommand('encode', specs, ['--json=1'], 0)).toThrow(/--json is a switch and takes no value/);
    expect(() => parseCommand('encode', specs, ['--size'], 0)).toThrow(/--size needs a value/);
  });

  it('checks sizes, ladders and outputs', () => {
    expect(parseSize('--size', '640x360')).toEqual({ width: 640, height: 360 });
    expect(() => parseSize('--size', '641x360')).toThrow(/must be even/);
    expect(parseLadder('--ladder', '1080,720p,360')).toEqual([1080, 720, 360]);
    expect(() => parseLadder('--ladder', '720,720')).toThrow(/listed twice/);
    expect(resolveOutput('a.MKV', undefined, 'encode')).toEqual({ kind: 'file', location: 'a.MKV', format: 'matroska' });
    expect(resolveOutput('rtmp://h/live/x', undefined, 'encode')).toMatchObject({ kind: 'url', format: 'flv' });
    expect(resolveOutput('-', 'ts', 'encode')).toEqual({ kind: 'stdout', location: '-', format: 'mpegts' });
    expect(() => resolveOutput('srt://h:9000', undefined, 'encode')).toThrow(/--format is needed/);
  });
});

describe('hardware table', () => {
  it('lists each codec and why each device lost', async () => {
    const rows = await hardwareTable(['h264'], async ({ codec }) => ({
      kind: 'software', encoder: 'libx264', device: undefined, pixelFormat: 'yuv420p', upload: false,
      rejected: [{ kind: 'cuda', encoder: `${codec}_nvenc`, reason: 'libcuda.so.1 not loadable' }],
    }));
    expect(formatHardwareTable(rows)).toBe('h264  → libx264 (software)\n        cuda   h264_nvenc: libcuda.so.1 not loadable\n');
  });
});

describe('interrupts', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the first signal asks to stop, the second exits at once with 128 + signal', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const said: string[] = [];
    const stop = vi.fn();
    const interrupts = new Interrupts((line) => said.push(line)).install();
    try {
      interrupts.onStop(stop);
      process.emit('SIGTERM');
      expect(stop).toHaveBeenCalledTimes(1);
      expect(interrupts.exitCode).toBe(143);
      expect(exit).not.toHaveBeenCalled();
      process.emit('SIGINT');
      expect(exit).toHaveBeenCalledWith(130);
      expect(said).toEqual(['SIGTERM: stopping; finishing the output (again to quit at once)']);
    } finally {
      interrupts.dispose();
    }
  });

  it('a signal before the job started stops it as soon as it starts', () => {
    const interrupts = new Interrupts(() => undefined).install();
    try {
      process.emit('SIGINT');
      const stop = vi.fn();
      interrupts.onStop(stop);
      expect(stop).toHaveBeenCalledTimes(1);
      expect(interrupts.exitCode).toBe(130);
    } finally {
      interrupts.dispose();
    }
  });
});
