/**
 * Encode only as a sequential beamcoder loop: take each frame of the test
 * pattern, await the encoder, await the muxer (MPEG-TS to stdout), in turn.
 *
 *   node --import tsx bench/jobs/encode-loop.ts FRAMES
 */
import { beamcoder, testPattern, type Packet } from '@beamflow/core';
import { reportFromJob } from './report.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const frames = Number(process.argv[2]);
const bc = beamcoder();
const t0 = performance.now();
const enc: any = bc.encoder({
  name: 'libx264', width: 1920, height: 1080, pix_fmt: 'yuv420p', time_base: [1, 25], framerate: [25, 1],
  sample_aspect_ratio: [1, 1], thread_count: 0, priv_data: { preset: 'ultrafast' },
} as any);
const mux: any = bc.muxer({ format_name: 'mpegts' });
const st = mux.newStream({ name: 'h264', time_base: [1, 90000], interleaved: true });
Object.assign(st.codecpar, { width: 1920, height: 1080, format: 'yuv420p' });
await mux.openIO({ url: 'pipe:1' });
await mux.writeHeader();
const write = async (ps: Packet[]): Promise<void> => {
  for (const p of ps) {
    // 1/25 → 1/90000
    p.pts = (p.pts as number) * 3600;
    p.dts = (p.dts as number) * 3600;
    p.duration = 3600;
    p.stream_index = 0;
    await mux.writeFrame(p);
  }
};
let n = 0;
for await (const e of testPattern({ video: { width: 1920, height: 1080, frameRate: 25 }, frames })) {
  if (e.type !== 'frame') continue;
  n++;
  await write((await enc.encode(e.frame)).packets);
}
await write((await enc.flush()).packets);
await mux.writeTrailer();
reportFromJob({ frames: n, runMs: performance.now() - t0 });
