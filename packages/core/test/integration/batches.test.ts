/**
 * Batched native calls: a regular file is read up to 16 packets per call and
 * its audio packets decoded several per call; a pipe is read one packet at a
 * time. What a user sees must not change: the same packets and frames, in
 * each stream's order, as single calls (and as the ffmpeg command line).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { beamcoder, decodeFile, demuxFile, type Envelope, type Packet } from '@beamflow/core';
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
