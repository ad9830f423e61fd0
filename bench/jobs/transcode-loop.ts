/**
 * The same transcode as transcode-beamflow.ts, written as a user writes it
 * with beamcoder alone: one loop that awaits each native call in turn (read,
 * decode, scale, encode, write), so at most one of them runs at a time.
 * Headers wait until both encoders have opened (x264 makes its extradata at
 * its first frame), holding the packets made until then.
 *
 *   node --import tsx bench/jobs/transcode-loop.ts IN OUT
 */
import { beamcoder, type Frame, type Packet } from '@beamflow/core';
import { reportFromJob } from './report.js';

type Tb = [number, number];
const [input, output] = process.argv.slice(2) as [string, string];
const bc = beamcoder();
// Loose typing on purpose: this is the untyped surface a beamcoder user works with.
/* eslint-disable @typescript-eslint/no-explicit-any */
const dm: any = await bc.demuxer(input);
const vIn = dm.streams.findIndex((s: any) => s.codecpar.codec_type === 'video');
const aIn = dm.streams.findIndex((s: any) => s.codecpar.codec_type === 'audio');
const vst = dm.streams[vIn];
const ast = dm.streams[aIn];
const vdec: any = bc.decoder({ demuxer: dm, stream_index: vIn, thread_count: 0 } as any);
const adec: any = bc.decoder({ demuxer: dm, stream_index: aIn } as any);
const vtb: Tb = vst.time_base;
const atb: Tb = [1, ast.codecpar.sample_rate];
const scaler: any = await bc.filterer({
  filterType: 'video',
  inputParams: [{ name: 'in0:v', width: vst.codecpar.width, height: vst.codecpar.height, pixelFormat: 'yuv420p', timeBase: vtb, pixelAspect: [1, 1] }],
  outputParams: [{ name: 'out0:v', pixelFormat: 'yuv420p' }],
  filterSpec: '[in0:v]scale=640:360:flags=bicubic[out0:v]',
} as any);
const venc: any = bc.encoder({
  name: 'libx264', width: 640, height: 360, pix_fmt: 'yuv420p', time_base: vtb, framerate: [25, 1],
  sample_aspect_ratio: [1, 1], thread_count: 0, flags: { GLOBAL_HEADER: true }, priv_data: { preset: 'veryfast', crf: 23 },
} as any);
const aenc: any = bc.encoder({
  name: 'aac', sample_rate: ast.codecpar.sample_rate, sample_fmt: 'fltp', channels: ast.codecpar.channels,
  channel_layout: ast.codecpar.channel_layout, time_base: atb, bit_rate: 128_000, flags: { GLOBAL_HEADER: true },
} as any);

const mux: any = bc.muxer({ format_name: 'mp4' });
let header = false;
let held: Array<[number, Packet]> = [];
let sawVideo = false;
let sawAudio = false;
const encTb: Tb[] = [vtb, atb];

async function openOutput(): Promise<void> {
  for (const [i, enc] of [venc, aenc].entries()) {
    const st = mux.newStream({ name: i === 0 ? 'h264' : 'aac', time_base: encTb[i], interleaved: true });
    const keys = i === 0
      ? ['width', 'height', 'format', 'extradata', 'sample_aspect_ratio', 'profile', 'level', 'video_delay']
      : ['sample_rate', 'channels', 'channel_layout', 'format', 'extradata', 'frame_size', 'initial_padding'];
    for (const k of keys) if (enc[k] !== undefined && enc[k] !== null) st.codecpar[k === 'format' ? 'format' : k] = k === 'format' ? (i === 0 ? enc.pix_fmt : enc.sample_fmt) : enc[k];
    if (i === 0) st.avg_frame_rate = [25, 1];
  }
  await mux.openIO({ url: output });
  await mux.writeHeader();
  header = true;
}

async function write(index: number, p: Packet): Promise<void> {
  const to: Tb = mux.streams[index].time_base;
  const from = encTb[index]!;
  const conv = (v: number | null): number | null => (v === null ? v : Math.round((v * from[0] * to[1]) / (from[1] * to[0])));
  p.pts = conv(p.pts as number | null) as number;
  p.dts = conv(p.dts as number | null) as number;
  p.duration = conv(p.duration as number) as number;
  p.stream_index = index;
  await mux.writeFrame(p);
}

async function packets(index: number, ps: Packet[]): Promise<void> {
  if (ps.length === 0) return;
  if (index === 0) sawVideo = true;
  else sawAudio = true;
  if (!header) {
    held.push(...ps.map((p): [number, Packet] => [index, p]));
    if (!(sawVideo && sawAudio)) return;
    await openOutput();
    for (const [i, p] of held) await write(i, p);
    held = [];
    return;
  }
  for (const p of ps) await write(index, p);
}

let frames = 0;
async function video(fs: Frame[]): Promise<void> {
  for (const f of fs) {
    const out = await scaler.filter([{ name: 'in0:v', frames: [f] }]);
    for (const g of out[0].frames as Frame[]) {
      frames++;
      await packets(0, (await venc.encode(g)).packets);
    }
  }
}
async function audio(fs: Frame[]): Promise<void> {
  for (const f of fs) await packets(1, (await aenc.encode(f)).packets);
}

for (;;) {
  const p: any = await dm.read();
  if (!p) break;
  if (p.stream_index === vIn) await video((await vdec.decode(p)).frames);
  else if (p.stream_index === aIn) await audio((await adec.decode(p)).frames);
}
await video((await vdec.flush()).frames);
await audio((await adec.flush()).frames);
await packets(0, (await venc.flush()).packets);
await packets(1, (await aenc.flush()).packets);
await mux.writeTrailer();
reportFromJob({ frames });
