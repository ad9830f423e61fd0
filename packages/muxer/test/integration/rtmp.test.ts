/**
 * RTMP output against a real server: nginx with its RTMP module on loopback,
 * started by this file's setup with a config of its own in a temp dir. The
 * Muxer publishes an FLV stream to `rtmp://127.0.0.1:PORT/live/test`; an
 * ffmpeg subscriber records what the server relays, and ffprobe judges it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPattern } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { probe } from '../probe.js';
import { tempDir } from './harness.js';
import { startNginxRtmp, type NginxRtmp } from '../../../../test/support/nginx-rtmp.js';

const dir = tempDir('rtmp');
let server: NginxRtmp | undefined;
let port = 0;
const nginxLog = (): string => server?.log() ?? '(nginx not started)';

beforeAll(async () => {
  server = await startNginxRtmp(dir);
  port = server.port;
});

afterAll(async () => {
  await server?.stop();
});

/** Run a subscriber to completion: exit status and stderr. */
function record(args: string[]): { done: Promise<{ code: number | null; stderr: string }>; proc: ChildProcess } {
  const proc = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    proc.once('error', (err) => resolve({ code: -1, stderr: `${stderr}\n${err.message}` }));
    proc.once('exit', (code) => resolve({ code, stderr }));
  });
  return { done, proc };
}

describe('Muxer RTMP output (nginx-rtmp on loopback)', () => {
  it('publishes H.264/AAC in FLV that a subscriber receives and ffprobe reads back', async () => {
    const url = `rtmp://127.0.0.1:${port}/live/test`;
    const recorded = join(dir, 'recorded.flv');
    const muxer = new Muxer({ format: 'flv', output: url });
    const published = pipeline(
      testPattern({ video: { width: 160, height: 90, frameRate: 25 }, audio: { sampleRate: 44100, channels: 2 }, duration: 6, realtime: true }),
      new Encoder({ video: { codec: 'h264', preset: 'ultrafast', gopSize: 25 }, audio: { codec: 'aac' } }),
      new Rescaler(),
      muxer,
    );
    let publishError: unknown;
    published.catch((err: unknown) => {
      publishError = err;
    });

    // nginx-rtmp live serves subscribers only while a publisher publishes: wait for the first packets.
    const deadline = Date.now() + 10_000;
    while (muxer.packetsWritten === 0 && publishError === undefined) {
      if (Date.now() > deadline) throw new Error(`the Muxer wrote no packet to ${url} within 10 s (state ${muxer.state})\n${nginxLog()}`);
      await sleep(20);
    }
    if (publishError !== undefined) throw publishError;

    const sub = record(['-nostdin', '-v', 'error', '-rw_timeout', '15000000', '-i', url, '-t', '2', '-c', 'copy', '-f', 'flv', '-y', recorded]);
    const killer = setTimeout(() => sub.proc.kill('SIGKILL'), 15_000);
    try {
      await published;
      expect(muxer.state).toBe('closed');
      const r = await sub.done;
      expect(r.code, `subscriber ffmpeg exit status; stderr: ${r.stderr}\nnginx log:\n${nginxLog()}`).toBe(0);
    } finally {
      clearTimeout(killer);
      if (sub.proc.exitCode === null && sub.proc.signalCode === null) sub.proc.kill('SIGKILL');
    }

    expect(existsSync(recorded), 'the subscriber wrote a recording').toBe(true);
    const pr = probe(recorded);
    const codecs = pr.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort();
    expect(codecs).toEqual(['audio:aac', 'video:h264']);
    const video = pr.streams.find((s) => s.codec_type === 'video')!;
    expect(Number(video.nb_read_frames), 'video frames decoded from the recording').toBeGreaterThan(0);
    expect(video.width).toBe(160);
    expect(video.height).toBe(90);
    const audio = pr.streams.find((s) => s.codec_type === 'audio')!;
    expect(Number(audio.sample_rate)).toBe(44100);
    expect(Number(audio.nb_read_frames), 'audio frames decoded from the recording').toBeGreaterThan(0);

    // And the packets the server relayed: counted by ffprobe without decoding.
    const counted = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-count_packets', '-show_entries', 'stream=codec_name,nb_read_packets', '-of', 'json', recorded], { encoding: 'utf8' });
    expect(counted.status, counted.stderr).toBe(0);
    const vs = (JSON.parse(counted.stdout) as { streams: Array<{ codec_name: string; nb_read_packets: string }> }).streams;
    expect(vs[0]?.codec_name).toBe('h264');
    expect(Number(vs[0]?.nb_read_packets)).toBeGreaterThan(0);
  }, 30_000);
});
