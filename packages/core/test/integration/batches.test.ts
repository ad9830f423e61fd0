/**
 * Batched native calls: a regular file is read up to 16 packets per call and
 * its audio packets decoded several per call; a pipe is read one packet at a
 * time; an audio encode runs on the calling thread (`encodeInline`). What a
 * user sees must not change: the same packets and frames, in each stream's
 * order, as single calls on the pool (and as the ffmpeg command line).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { beamcoder, decodeFile, demuxFile, type Envelope, type Frame, type Packet } from '@beamflow/core';
import { ffmpeg, tempDir } from '../../../../test/support/media.js';
import { ffmpegFrameCounts } from '../../../../test/support/probe.js';

const dir = tempDir('batches');
const clean = join(dir, 'clean.mp4');

beforeAll(() => {
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-c:a', 'aac', clean]);
});

type BatchRead = (n?: number) => Promise<Packet[] | Packet | null>;

async function readAll(n: number | undefined): Promise<Array<{ stream: number; pts: number | null; size: number }>> {
  const dm = await beamcoder().demuxer(clean);
  const read = (dm.read as unknown as BatchRead).bind(dm);
  const out: Array<{ stream: number; pts: number | null; size: number }> = [];
  for (;;) {
    const got = await read(n);
    const batch = n === undefined ? (got ? [got as Packet] : []) : (got as Packet[]);
    if (batch.length === 0) break;
    expect(batch.length).toBeLessThanOrEqual(n ?? 1);
    for (const p of batch) out.push({ stream: p.stream_index, pts: p.pts, size: p.size });
  }
  return out;
}

function countsOf(envelopes: Envelope[]): { video: number; audio: number } {
  const c = { video: 0, audio: 0 };
  for (const e of envelopes) if ((e.type === 'frame' || e.type === 'packet') && e.kind !== 'subtitle') c[e.kind]++;
  return c;
}

async function collect(src: AsyncIterable<unknown>): Promise<Envelope[]> {
  const out: Envelope[] = [];
  for await (const e of src) out.push(e as Envelope);
  return out;
}

describe('read(n) of the patched addon', () => {
  it('gives the packets of single reads, in the same order, at most n per call, then [] at the end', async () => {
    const single = await readAll(undefined);
    const batched = await readAll(16);
    const odd = await readAll(7);
    expect(single.length).toBeGreaterThan(100);
    expect(batched).toEqual(single);
    expect(odd).toEqual(single);
  });

  it('refuses a count outside 1..1024 or of the wrong type', async () => {
    const dm = await beamcoder().demuxer(clean);
    const read = (dm.read as unknown as (n: unknown) => Promise<unknown>).bind(dm);
    await expect(read(0)).rejects.toThrow(/1 to 1024/);
    await expect(read(5000)).rejects.toThrow(/1 to 1024/);
    await expect(read('16')).rejects.toThrow(/packet count/);
    // The demuxer is untouched by the refusals.
    expect(Array.isArray(await read(4))).toBe(true);
  });
});

describe('decodeFile and demuxFile with batched calls', () => {
  it('decode every frame of each stream in presentation order per stream', async () => {
    const frames = (await collect(decodeFile(clean))).filter((e) => e.type === 'frame');
    expect(countsOf(frames)).toEqual(ffmpegFrameCounts(clean));
    for (const kind of ['video', 'audio'] as const) {
      const pts = frames.filter((e) => e.kind === kind).map((e) => Number(e.type === 'frame' ? e.frame.pts : 0));
      expect(pts).toEqual([...pts].sort((a, b) => a - b));
    }
  });

  it('keep every frame before the cut of a truncated file, as the ffmpeg command line does', async () => {
    const whole = join(dir, 'faststart.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-movflags', '+faststart', whole]);
    const cut = join(dir, 'cut.mp4');
    const bytes = readFileSync(whole);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const frames = (await collect(decodeFile(cut))).filter((e) => e.type === 'frame');
    const expected = ffmpegFrameCounts(cut);
    expect(expected.video).toBeGreaterThan(10);
    expect(countsOf(frames)).toEqual(expected);
  });

  it('deliver every packet read before a read error, then the error: a concat list whose second file is missing', async () => {
    const list = join(dir, 'list.ffconcat');
    // Names relative to the list: the concat demuxer refuses absolute ones as unsafe.
    writeFileSync(list, "ffconcat version 1.0\nfile 'clean.mp4'\nfile 'missing.mp4'\n");
    const src = demuxFile(list, { allowConcat: true });
    let packets = 0;
    let error: unknown;
    try {
      for await (const e of src) if ((e as Envelope).type === 'packet') packets++;
    } catch (err) {
      error = err;
    }
    // The batch that met the error held the first file's last packets: they come first.
    expect(packets).toBe((await readAll(undefined)).length);
    expect(error).toMatchObject({ code: 'BEAMFLOW_FFMPEG' });
    expect((error as Error).message).toMatch(/No such file/);
  });

  it('demux the packets of single reads', async () => {
    const packets = (await collect(demuxFile(clean))).filter((e) => e.type === 'packet');
    const single = await readAll(undefined);
    expect(packets.map((e) => (e.type === 'packet' ? e.packet.size : 0))).toEqual(single.map((p) => p.size));
  });

  it('read a pipe one packet at a time: every packet written is decoded before more arrive', async () => {
    // A live input is a pipe that has what the writer wrote so far. Batches of 16 reads would
    // sit waiting for packets that are not written yet; single reads deliver each as it comes.
    const ts = join(dir, 'live.ts');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-f', 'mpegts', ts]);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'packet=pos', '-of', 'json', ts], { encoding: 'utf8' });
    const positions = (JSON.parse(probe.stdout) as { packets: Array<{ pos: string }> }).packets.map((p) => Number(p.pos));
    expect(positions).toHaveLength(75);
    const written = 40;
    const bytes = readFileSync(ts);
    const cut = positions[written]!; // where packet 41 starts: packets 1..40 are in the first part
    const fifo = join(dir, 'live.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);

    const src = decodeFile(fifo, { threads: 1 }); // one decoder thread: a frame out for each packet in
    let frames = 0;
    let reached!: () => void;
    const enough = new Promise<void>((resolve) => (reached = resolve));
    const consumed = (async () => {
      for await (const e of src) {
        if ((e as Envelope).type !== 'frame') continue;
        // The demuxer holds the last packet written until the next one starts, and the
        // decoder one frame: 38 of 40 (a batch of 16 reads would be stuck at 32).
        if (++frames === written - 2) reached();
      }
    })();
    const writer = createWriteStream(fifo);
    writer.write(bytes.subarray(0, cut));
    const inTime = await Promise.race([enough.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
    const framesBeforeTheRest = frames;
    writer.end(bytes.subarray(cut));
    await consumed;
    expect({ inTime, framesBeforeTheRest }).toEqual({ inTime: true, framesBeforeTheRest: written - 2 });
    expect(frames).toBe(75);
  });
});

describe('encodeInline of the patched addon', () => {
  type Enc = { encode(f: unknown): Promise<{ packets: Packet[] }>; encodeInline(f: unknown): Promise<{ packets: Packet[] }>; flush(): Promise<{ packets: Packet[] }> };
  const openAac = (): Enc => beamcoder().encoder({
    name: 'aac', sample_rate: 48000, sample_fmt: 'fltp', channels: 2, channel_layout: 'stereo', time_base: [1, 48000], bit_rate: 96_000,
  } as unknown as { name: string }) as unknown as Enc;
  const tone = (i: number, value?: number): unknown => {
    const f = beamcoder().frame({ nb_samples: 1024, format: 'fltp', channels: 2, channel_layout: 'stereo', sample_rate: 48000, pts: i * 1024 }).alloc();
    for (const plane of f.data as Buffer[]) {
      for (let s = 0; s < 1024; s++) plane.writeFloatLE(value ?? 0.5 * Math.sin((2 * Math.PI * 440 * (i * 1024 + s)) / 48000), s * 4);
    }
    return f;
  };
  const run = async (inline: boolean): Promise<string[]> => {
    const enc = openAac();
    const out: string[] = [];
    const keep = (r: { packets: Packet[] }): void => {
      for (const p of r.packets) out.push(`${p.pts}:${p.size}:${Buffer.from(p.data.subarray(0, p.size)).toString('base64')}`);
    };
    for (let i = 0; i < 40; i++) keep(await (inline ? enc.encodeInline(tone(i)) : enc.encode(tone(i))));
    keep(await enc.flush());
    return out;
  };

  it('gives the packets of encode(), the promise settled before it returns', async () => {
    const inline = await run(true);
    expect(inline.length).toBeGreaterThan(38);
    expect(inline).toEqual(await run(false));
    const enc = openAac();
    let settled = false;
    const p = enc.encodeInline(tone(0)).then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(true);
    await p;
  });

  it('rejects what encode() rejects, at the same frame', async () => {
    // AAC refuses samples that are not numbers once they reach its analysis (a frame or two in).
    const firstRefusal = async (inline: boolean): Promise<{ frame: number; message: string } | undefined> => {
      const enc = openAac();
      for (let i = 0; i < 10; i++) {
        try {
          await (inline ? enc.encodeInline(tone(i, Number.NaN)) : enc.encode(tone(i, Number.NaN)));
        } catch (err) {
          return { frame: i, message: (err as Error).message };
        }
      }
      return undefined;
    };
    const inline = await firstRefusal(true);
    expect(inline?.message).toMatch(/Error sending frame/);
    expect(inline).toEqual(await firstRefusal(false));
    await expect(openAac().encodeInline({ type: 'Packet' })).rejects.toThrow(/must be of type frame/);
  });
});

describe('filterInline of the patched addon', () => {
  type Filt = {
    filter(f: unknown): Promise<Array<{ name: string; frames: Frame[] }>>;
    filterInline(f: unknown): Promise<Array<{ name: string; frames: Frame[] }>>;
  };
  const openResample = async (): Promise<Filt> => (await beamcoder().filterer({
    filterType: 'audio',
    inputParams: [{ name: 'in0', timeBase: [1, 44100], sampleRate: 44100, sampleFormat: 's16', channelLayout: 'stereo' }],
    outputParams: [{ name: 'out0', sampleRate: 48000, sampleFormat: 'fltp', channelLayout: 'stereo' }],
    filterSpec: '[in0]aresample=48000[out0]',
  } as never)) as unknown as Filt;
  const pcm = (i: number): Frame => {
    const f = beamcoder().frame({ nb_samples: 1024, format: 's16', channels: 2, channel_layout: 'stereo', sample_rate: 44100, pts: i * 1024 }).alloc();
    const d = (f.data as Buffer[])[0]!;
    for (let s = 0; s < 2048; s++) d.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * (i * 2048 + s)) / 88200)), s * 2);
    return f;
  };
  const run = async (inline: boolean): Promise<string[]> => {
    const g = await openResample();
    const out: string[] = [];
    for (let i = 0; i < 20; i++) {
      const src = [{ name: 'in0', frames: [pcm(i)] }];
      const res = await (inline ? g.filterInline(src) : g.filter(src));
      for (const f of res[0]!.frames) out.push(`${f.pts}:${f.nb_samples}:${(f.data as Buffer[]).map((b) => b.subarray(0, f.nb_samples * 4).toString('base64')).join('|')}`);
    }
    return out;
  };

  it('gives the frames of filter(), the promise settled before it returns', async () => {
    const inline = await run(true);
    expect(inline.length).toBeGreaterThan(18);
    expect(inline).toEqual(await run(false));
    const g = await openResample();
    let settled = false;
    const p = g.filterInline([{ name: 'in0', frames: [pcm(0)] }]).then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(true);
    await p;
  });

  it('rejects what filter() rejects', async () => {
    const g = await openResample();
    const bad = [{ name: 'nope', frames: [pcm(0)] }];
    const pooled = await g.filter(bad).then(() => 'resolved', (err: Error) => err.message);
    expect(pooled).not.toBe('resolved');
    await expect(g.filterInline(bad)).rejects.toThrow(pooled);
  });
});
