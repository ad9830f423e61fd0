import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

function runExample(args: string[], env: Record<string, string> = {}): void {
  const r = spawnSync(process.execPath, ['--import', tsx, ...args], { cwd: join(root, 'examples'), encoding: 'utf8', env: { ...process.env, ...env } });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toBe('');
}

function streams(path: string): Array<{ codec_name: string; width?: number; height?: number; nb_read_frames: string }> {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', path], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { encoding: 'utf8' });
  expect(decode.stderr).toBe('');
  return (JSON.parse(r.stdout) as { streams: Array<{ codec_name: string; width?: number; height?: number; nb_read_frames: string }> }).streams;
}

describe('examples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beamflow-examples-'));

  it('transcode-file: any input → MP4 at the size asked, every frame kept', () => {
    const input = join(dir, 'in.mkv');
    const gen = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'libopus', input]);
    expect(gen.status).toBe(0);
    const out = join(dir, 'out.mp4');
    runExample(['transcode-file.ts', input, out, '--size', '160x90', '--crf', '28', '--preset', 'ultrafast']);
    const s = streams(out);
    expect(s.map((x) => x.codec_name)).toEqual(['h264', 'aac']);
    expect(s[0]).toMatchObject({ width: 160, height: 90 });
    expect(Number(s[0]!.nb_read_frames)).toBe(50);
  });

  it('rx-pipeline: the demo written with RxJS operators writes the same MP4 and HLS', () => {
    const out = join(dir, 'rx.mp4');
    runExample(['rx-pipeline.ts', out, join(dir, 'rx-hls')], { DEMO_SECONDS: '1' });
    const s = streams(out);
    expect(s.map((x) => x.codec_name)).toEqual(['h264', 'aac']);
    expect(Number(s[0]!.nb_read_frames)).toBe(25);
    const hls = streams(join(dir, 'rx-hls', 'index.m3u8'));
    expect(hls.map((x) => x.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(Number(hls.find((x) => x.codec_name === 'h264')!.nb_read_frames)).toBe(25);
  });
});
