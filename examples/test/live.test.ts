/**
 * examples/live-rtmp against a real server: nginx with its RTMP module on
 * loopback (the same setup as the Muxer's RTMP test, with a config of its own
 * in a temp dir). A live application relays and records nothing, so an ffmpeg
 * subscriber reads the stream while the example publishes it; ffprobe judges
 * what it received.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNginxRtmp, type NginxRtmp } from '../../test/support/nginx-rtmp.js';

const root = resolve(__dirname, '../..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const dir = mkdtempSync(join(tmpdir(), 'beamflow-live-'));
let server: NginxRtmp | undefined;
let port = 0;
const nginxLog = (): string => server?.log() ?? '(nginx not started)';

beforeAll(async () => {
  // A subscriber joining mid-GOP gets its first video at the next keyframe and no audio
  // before it, so what it records starts at a decodable picture.
  server = await startNginxRtmp(dir, 'live on; wait_key on; wait_video on;');
  port = server.port;
});

afterAll(async () => {
  await server?.stop();
});

interface Run {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(cmd: string, args: string[], cwd?: string): Run {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  proc.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('error', (e) => {
      err += `\n${e.message}`;
      resolve({ code: -1, signal: null });
    });
    proc.once('close', (code, signal) => resolve({ code, signal }));
  });
  return { proc, stdout: () => out, stderr: () => err, exit };
}

function liveRtmp(args: string[]): Run {
  return start(process.execPath, ['--import', tsx, 'live-rtmp.ts', ...args], join(root, 'examples'));
}

/** Wait until nginx says a client publishes `name` (the example has connected and sent its header). */
async function published(name: string, run: Run): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!nginxLog().includes(`publish: name='${name}'`)) {
    if (run.proc.exitCode !== null) throw new Error(`the example exited (${run.proc.exitCode}) before publishing\n${run.stderr()}`);
    if (Date.now() > deadline) throw new Error(`nothing published to live/${name} within 15 s\n${run.stderr()}\n${nginxLog()}`);
    await sleep(20);
  }
}

function kill(run: Run): void {
  if (run.proc.exitCode === null && run.proc.signalCode === null) run.proc.kill('SIGKILL');
}

describe('examples/live-rtmp (nginx-rtmp on loopback)', () => {
  it('publishes a real-time H.264 + AAC stream that a subscriber receives while it is live', async () => {
    const url = `rtmp://127.0.0.1:${port}/live/pattern`;
    const recorded = join(dir, 'recorded.flv');
    const pub = liveRtmp([url, '--seconds', '5', '--size', '320x180']);
    let sub: Run | undefined;
    try {
      await published('pattern', pub);
      sub = start('ffmpeg', ['-nostdin', '-v', 'error', '-rw_timeout', '15000000', '-i', url, '-t', '2', '-c', 'copy', '-f', 'flv', '-y', recorded]);
      const subscriber = sub;
      const killer = setTimeout(() => kill(subscriber), 15_000);
      const got = await subscriber.exit;
      clearTimeout(killer);
      expect(got.code, `subscriber ffmpeg: ${subscriber.stderr()}\nnginx log:\n${nginxLog()}`).toBe(0);

      const done = await pub.exit;
      expect(done.code, pub.stderr()).toBe(0);
      expect(pub.stdout()).toBe('');
      expect(pub.stderr()).toContain(`${url}: `);
    } finally {
      kill(pub);
      if (sub) kill(sub);
    }

    const pr = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,width,height,sample_rate,nb_read_frames', '-of', 'json', recorded], { encoding: 'utf8' });
    expect(pr.status, pr.stderr).toBe(0);
    const streams = (JSON.parse(pr.stdout) as { streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; sample_rate?: string; nb_read_frames: string }> }).streams;
    expect(streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
    const video = streams.find((s) => s.codec_type === 'video')!;
    expect(video).toMatchObject({ width: 320, height: 180 });
    // Two seconds were recorded at 25 fps: well over one second of pictures arrived.
    expect(Number(video.nb_read_frames)).toBeGreaterThanOrEqual(25);
    const audio = streams.find((s) => s.codec_type === 'audio')!;
    expect(Number(audio.sample_rate)).toBe(48000);
    expect(Number(audio.nb_read_frames)).toBeGreaterThan(0);
    const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', recorded, '-f', 'null', '-'], { encoding: 'utf8' });
    expect(decode.status).toBe(0);
    expect(decode.stderr).toBe('');
  }, 40_000);

  it('stops cleanly on SIGINT: exit status 0, nothing on stdout, the stream closed', async () => {
    const url = `rtmp://127.0.0.1:${port}/live/stopme`;
    const pub = liveRtmp([url, '--size', '160x90']);
    try {
      await published('stopme', pub);
      // Stop once a second of the pattern has gone out, so there is a stream to close.
      while (!/live [1-9]\d*\.\ds/.test(pub.stderr())) {
        if (pub.proc.exitCode !== null) throw new Error(`the example exited early\n${pub.stderr()}`);
        await sleep(20);
      }
      pub.proc.kill('SIGINT');
      const done = await pub.exit;
      expect(done, pub.stderr()).toEqual({ code: 0, signal: null });
      expect(pub.stdout()).toBe('');
      expect(pub.stderr()).toContain('stopped by SIGINT');
      expect(pub.stderr()).toMatch(/: [1-9]\d* packets sent/);
    } finally {
      kill(pub);
    }
  }, 30_000);
});
