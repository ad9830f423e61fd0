import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

function probe(path: string): Array<{ codec_name: string; width?: number; height?: number; nb_read_frames: string }> {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', path], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { streams: Array<{ codec_name: string; width?: number; height?: number; nb_read_frames: string }> }).streams;
}

describe('examples/hls-ladder', () => {
  it('decodes a file once into renditions with a master playlist that ffprobe reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beamflow-ladder-'));
    const input = join(dir, 'in.mp4');
    const gen = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '5', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', input]);
    expect(gen.status).toBe(0);
    const out = join(dir, 'ladder');
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, 'hls-ladder.ts', input], {
      cwd: join(root, 'examples'),
      encoding: 'utf8',
      env: { ...process.env, LADDER_OUT: out, LADDER_RUNGS: '180,90' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const master = readFileSync(join(out, 'master.m3u8'), 'utf8');
    expect(master).toContain('RESOLUTION=320x180');
    expect(master).toContain('RESOLUTION=160x90');
    expect(master).toMatch(/CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
    for (const [h, w] of [[180, 320], [90, 160]] as const) {
      const streams = probe(join(out, `${h}p`, 'index.m3u8'));
      const video = streams.find((s) => s.codec_name === 'h264');
      expect(video).toMatchObject({ width: w, height: h });
      expect(Number(video!.nb_read_frames)).toBe(125);
      expect(streams.some((s) => s.codec_name === 'aac')).toBe(true);
    }
    // No GOP size in the example: each rung's Muxer asks its Encoder for a keyframe every 2 s,
    // so the renditions' segments line up (a player can switch at every boundary).
    const segments = (h: number): string[] => readFileSync(join(out, `${h}p`, 'index.m3u8'), 'utf8').split('\n').filter((l) => l.startsWith('#EXTINF:'));
    expect(segments(180)).toEqual(['#EXTINF:2.000000,', '#EXTINF:2.000000,', '#EXTINF:1.000000,']);
    expect(segments(90)).toEqual(segments(180));
    const all = probe(join(out, 'master.m3u8'));
    expect(all.filter((s) => s.codec_name === 'h264')).toHaveLength(2);
  });
});
