/**
 * Live video in a browser with nothing but node:http: `/` is a page with a
 * <video> element, `/live.mp4` a fragmented MP4 (H.264 main + AAC) of the
 * test pattern and its tone, encoded in real time for each viewer. A viewer
 * that leaves has its encoder torn down; SIGINT/SIGTERM closes every stream
 * and exits.
 *
 *   pnpm --filter @beamflow/examples run http-fmp4 -- [PORT] [--host 0.0.0.0] [--size 1280x720]
 *
 * PORT (argument or environment) defaults to 8080; 0 takes any free port. The
 * URL to open is printed on stderr.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Stream } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { testPattern } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';

const usage = 'usage: http-fmp4 [PORT] [--host HOST] [--size WxH] [--fps N] [--max-viewers N]';
// `pnpm run http-fmp4 -- 8080` hands its `--` on to the script.
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();
const { values, positionals } = parseArgs({
  args: argv,
  options: {
    host: { type: 'string' },
    size: { type: 'string' },
    fps: { type: 'string' },
    'max-viewers': { type: 'string' },
  },
  allowPositionals: true,
});
const port = Number(positionals[0] ?? process.env.PORT ?? 8080);
// Loopback unless asked: every viewer costs an encoder.
const host = values.host ?? '127.0.0.1';
const size = /^(\d+)x(\d+)$/.exec(values.size ?? '1280x720');
const width = Number(size?.[1]);
const height = Number(size?.[2]);
const fps = Number(values.fps ?? 25);
const maxViewers = Number(values['max-viewers'] ?? 8);
if (!Number.isInteger(port) || port < 0 || port > 65535 || !(width > 0) || !(height > 0) || !(fps > 0) || !(maxViewers > 0)) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}

const PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>beamflow live</title>
<style>html, body { margin: 0; height: 100%; background: #000; } video { width: 100%; height: 100%; }</style>
<video src="/live.mp4" autoplay muted playsinline controls></video>
</html>
`;

/** Viewers being served: each settles once its pipeline is torn down. */
const viewers = new Map<number, { res: ServerResponse; done: Promise<void> }>();
let nextViewer = 1;

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

/** Resolves once a destroyed stream has finished releasing what it holds. */
function closed(s: Stream & { destroyed: boolean; closed: boolean }): Promise<void> {
  if (!s.destroyed || s.closed) return Promise.resolve();
  return new Promise((resolve) => s.once('close', () => resolve()));
}

function serveLive(req: IncomingMessage, res: ServerResponse): void {
  if (viewers.size >= maxViewers) {
    res.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '10' }).end('too many viewers\n');
    return;
  }
  // A live stream has no length and no byte ranges: chunked, never cached.
  res.writeHead(200, { 'Content-Type': 'video/mp4', 'Cache-Control': 'no-store' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const id = nextViewer++;
  const started = Date.now();
  log(`viewer ${id} (${req.socket.remoteAddress ?? '?'}) connected`);
  const source = testPattern({ video: { width, height, frameRate: fps }, audio: { sampleRate: 48000, channels: 2 }, realtime: true });
  const encoder = new Encoder({
    // Main profile plays everywhere; zerolatency keeps B-frames and lookahead out of
    // the delay.
    video: { codec: 'h264', preset: 'veryfast', profile: 'main', crf: 23, bitRate: 3_000_000, gopSize: 2 * Math.round(fps), options: { tune: 'zerolatency' } },
    audio: { codec: 'aac', bitRate: 128_000 },
  });
  const rescaler = new Rescaler();
  // Byte output is fragmented MP4: ftyp + an empty moov, then moof/mdat fragments. A
  // fragment at most every 200 ms (frag_duration, in µs) rather than one per keyframe,
  // flushed as soon as written, lets a browser start playing sooner.
  const muxer = new Muxer({ format: 'mp4', options: { flush_packets: 1, frag_duration: 200_000 } });
  const done = pipeline(source, encoder, rescaler, muxer, res)
    .then(
      () => log(`viewer ${id}: stream ended`),
      (err: unknown) => {
        // The viewer closing the connection is how a live stream normally ends.
        if (res.destroyed && !res.writableFinished && (err as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
        log(`viewer ${id}: ${err instanceof Error ? err.message : String(err)}`);
      },
    )
    .then(() => Promise.all([source, encoder, rescaler, muxer].map(closed)))
    .then(() => {
      viewers.delete(id);
      log(`viewer ${id} left after ${((Date.now() - started) / 1000).toFixed(1)} s; ${viewers.size} watching`);
    });
  viewers.set(id, { res, done });
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
  } else if (path === '/') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : PAGE);
  } else if (path === '/favicon.ico') {
    res.writeHead(204).end();
  } else if (path === '/live.mp4') {
    serveLive(req, res);
  } else {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  }
});

let stopping = false;
async function shutdown(sig: NodeJS.Signals): Promise<void> {
  if (stopping) process.exit(130); // a second Ctrl-C: do not wait
  stopping = true;
  log(`${sig}: closing ${viewers.size} stream(s)`);
  server.close();
  for (const v of viewers.values()) v.res.destroy();
  await Promise.all([...viewers.values()].map((v) => v.done));
  server.closeAllConnections();
  log('stopped');
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, (s: NodeJS.Signals) => void shutdown(s));

server.on('error', (err) => {
  log(`cannot serve on ${host}:${port}: ${err.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  const { port: bound } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  log(`serving ${width}x${height}@${fps} on http://${shown}:${bound}/ (stream: http://${shown}:${bound}/live.mp4)`);
});
