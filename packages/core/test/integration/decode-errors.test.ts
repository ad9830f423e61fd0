/**
 * Corrupt data inside a valid file: the decoder refuses some packets. By
 * default the source skips them and goes on, as the ffmpeg command line does;
 * `onDecodeError: 'fail'` makes the first one fatal, as `-xerror` does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, decodeFile, type Envelope, type FFmpegError } from '@beamflow/core';
import { ffmpegFrameCounts } from '../../../../test/support/probe.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const dir = mkdtempSync(join(tmpdir(), 'beamflow-decode-errors-'));
const corrupt = join(dir, 'corrupt.mp4');

beforeAll(() => {
  const clean = join(dir, 'clean.mp4');
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-movflags', '+faststart', clean]);
  expect(r.status).toBe(0);
  // Overwrite bytes of the media data (past the index, which faststart put first) with a fixed
  // pattern: the container stays readable, some packets no longer decode.
  const bytes = readFileSync(clean);
  const mdat = bytes.indexOf('mdat');
  for (let i = mdat + 2000; i < bytes.length; i += 97) bytes[i] = (i * 31) & 0xff;
  writeFileSync(corrupt, bytes);
});

async function drain(src: ReturnType<typeof decodeFile>): Promise<number> {
  let frames = 0;
  for await (const e of src) if ((e as Envelope).type === 'frame') frames++;
  return frames;
}

describe('decode errors', () => {
  it('skips the packets the decoder refuses, counts them, reports each, and decodes the rest', async () => {
    const src = decodeFile(corrupt);
    const reported: FFmpegError[] = [];
    src.on('decodeError', (e: FFmpegError) => reported.push(e));
    const frames = await drain(src);
    expect(src.decodeErrors).toBeGreaterThan(0);
    expect(reported).toHaveLength(src.decodeErrors);
    expect(reported[0]!.code).toBe('BEAMFLOW_FFMPEG');
    expect(reported[0]!.message).toMatch(/decode .*corrupt\.mp4 stream \d/);
    expect(frames).toBeGreaterThan(10);
  });

  it('keeps the frames the ffmpeg command line keeps and reports the refusals it reports, per stream', async () => {
    const src = decodeFile(corrupt);
    const refused = { video: 0, audio: 0 };
    src.on('decodeError', (e: FFmpegError) => refused[/stream 0$/.test(e.op) ? 'video' : 'audio']++);
    const kept = { video: 0, audio: 0 };
    for await (const e of src) if ((e as Envelope).type === 'frame') kept[(e as Envelope & { kind: 'video' | 'audio' }).kind]++;
    const log = spawnSync('ffmpeg', ['-v', 'error', '-i', corrupt, '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
    const ffmpegRefused = (index: number): number => log.split('\n').filter((l) => l.includes(`Error while decoding stream #0:${index}`)).length;
    expect(kept).toEqual(ffmpegFrameCounts(corrupt));
    expect(refused).toEqual({ video: ffmpegRefused(0), audio: ffmpegRefused(1) });
  });

  it("onDecodeError: 'fail' ends the source with the first refusal", async () => {
    const src = decodeFile(corrupt, { onDecodeError: 'fail' });
    await expect(drain(src)).rejects.toMatchObject({ code: 'BEAMFLOW_FFMPEG' });
  });

  it('refuses an unknown policy with a ConfigError naming the choices', () => {
    expect(() => decodeFile(corrupt, { onDecodeError: 'ignore' as never })).toThrow(ConfigError);
  });
});
