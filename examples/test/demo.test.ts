import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

describe('examples/encode-test-pattern (make demo)', () => {
  it('encodes once into an H.264 + AAC MP4 and an HLS playlist, both read by ffprobe and decoded cleanly, with a progress bar on stderr only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beamflow-demo-'));
    const out = join(dir, 'demo.mp4');
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, 'encode-test-pattern.ts', out], {
      cwd: join(root, 'examples'),
      encoding: 'utf8',
      env: { ...process.env, DEMO_SECONDS: '2' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/\[#+\.*\] +\d+% frames=\d+/);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames', '-of', 'json', out], { encoding: 'utf8' });
    const streams = (JSON.parse(probe.stdout) as { streams: Array<{ codec_name: string; nb_read_frames: string }> }).streams;
    expect(streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
    expect(Number(streams[0]!.nb_read_frames)).toBe(50);
    const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', out, '-f', 'null', '-'], { encoding: 'utf8' });
    expect(decode.status).toBe(0);
    expect(decode.stderr).toBe('');
    // The same packets in HLS: a VOD playlist with its segments, every frame there.
    const playlist = join(dir, 'demo-hls', 'index.m3u8');
    expect(readFileSync(playlist, 'utf8')).toMatch(/#EXT-X-ENDLIST/);
    const hls = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames', '-of', 'json', playlist], { encoding: 'utf8' });
    const hlsStreams = (JSON.parse(hls.stdout) as { streams: Array<{ codec_name: string; nb_read_frames: string }> }).streams;
    expect(hlsStreams.map((x) => x.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(Number(hlsStreams.find((x) => x.codec_name === 'h264')!.nb_read_frames)).toBe(50);
    const hlsDecode = spawnSync('ffmpeg', ['-v', 'error', '-i', playlist, '-f', 'null', '-'], { encoding: 'utf8' });
    expect(hlsDecode.stderr).toBe('');
  });

  it('writes its defaults under the directory the command was typed in and prints them as paths from there', () => {
    // pnpm runs the script in examples/ and names the user's directory in INIT_CWD, as `make demo` does from the root.
    const typedIn = mkdtempSync(join(tmpdir(), 'beamflow-demo-cwd-'));
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, 'encode-test-pattern.ts'], {
      cwd: join(root, 'examples'),
      encoding: 'utf8',
      env: { ...process.env, DEMO_SECONDS: '1', INIT_CWD: typedIn },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^out\/demo\.mp4: \d+ KiB; out\/demo-hls\/index\.m3u8; 25 video frames$/m);
    expect(existsSync(join(typedIn, 'out/demo.mp4'))).toBe(true);
    expect(existsSync(join(typedIn, 'out/demo-hls/index.m3u8'))).toBe(true);
  });
});
