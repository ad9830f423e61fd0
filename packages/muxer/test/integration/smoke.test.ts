import { createWriteStream, readFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import { it } from 'vitest';
import { testPattern } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';

function show(path: string) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames,duration,time_base,start_time', '-show_entries', 'format=duration,format_name', '-of', 'csv', path], { encoding: 'utf8' });
  console.log(path, r.stdout, r.stderr);
  const d = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { encoding: 'utf8' });
  console.log('decode:', JSON.stringify(d.stderr));
}
it('smoke', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bf-'));
  const src = (d = 2) => testPattern({ video: { width: 160, height: 90, frameRate: 25 }, audio: { sampleRate: 48000, channels: 2 }, duration: d });
  let t = Date.now();
  await pipeline(src(), new Encoder({ video: { codec: 'libvpx-vp9', options: { deadline: 'realtime', 'cpu-used': 8 } }, audio: { codec: 'libopus' } }), new Rescaler(), new Muxer({ format: 'webm' }), createWriteStream(join(dir, 'o.webm')));
  console.log('webm', Date.now() - t); show(join(dir, 'o.webm'));
  t = Date.now();
  await pipeline(src(), new Encoder({ audio: { codec: 'aac' } }), new Rescaler(), new Muxer({ format: 'adts' }), createWriteStream(join(dir, 'o.aac')));
  console.log('adts', Date.now() - t); show(join(dir, 'o.aac'));
  await pipeline(src(), new Encoder({ audio: { codec: 'libopus' } }), new Rescaler(), new Muxer({ format: 'ogg' }), createWriteStream(join(dir, 'o.ogg')));
  show(join(dir, 'o.ogg'));
  t = Date.now();
  await pipeline(src(3), new Encoder({ video: { codec: 'h264', preset: 'veryfast', crf: 23 }, audio: { codec: 'aac', bitRate: 128_000 } }), new Rescaler(), new Muxer({ format: 'hls', output: dir + '/hls/index.m3u8', hls: { segmentDuration: 1, playlistType: 'vod' } }));
  console.log('hls', Date.now() - t, readdirSync(dir + '/hls'), readFileSync(dir + '/hls/index.m3u8', 'utf8')); show(dir + '/hls/index.m3u8');
  t = Date.now();
  await pipeline(src(3), new Encoder({ video: { codec: 'h264', preset: 'veryfast', crf: 23 }, audio: { codec: 'aac', bitRate: 128_000 } }), new Rescaler(), new Muxer({ format: 'dash', output: dir + '/dash/manifest.mpd', dash: { segmentDuration: 1 } }));
  console.log('dash', Date.now() - t, readdirSync(dir + '/dash')); show(dir + '/dash/manifest.mpd');
});
