/**
 * An upload service on nothing but node:http: POST a video and it is
 * transcoded to HLS (H.264 + AAC, 2 s segments) while the body is still
 * arriving — the request body is the pipeline's source, so a slow encoder
 * slows the upload instead of buffering it, and the playlist and its first
 * segments can be fetched before the upload has finished.
 *
 *   pnpm --filter @beamflow/examples run upload-server -- [PORT] [--host 0.0.0.0] [--dir out/uploads] [--preset veryfast]
 *   curl -sS -X POST -T in.mp4 http://127.0.0.1:8080/uploads
 *   curl -sS -X POST -T in.ts 'http://127.0.0.1:8080/uploads?format=mpegts'
 *   ffplay http://127.0.0.1:8080/hls/ID/index.m3u8
 *
 * or directly, `node --import tsx examples/upload-server.ts 8080`. PORT
 * (argument or environment) defaults to 8080, 0 takes any free port; the URL
 * is printed on stderr. SIGINT/SIGTERM cuts the uploads in flight where they
 * are, finalizes their playlists and exits.
 *
 * Routes
 * - `POST /uploads[?format=NAME]`: the body is any container FFmpeg reads from
 *   a stream (MPEG-TS, Matroska/WebM, fragmented or faststart MP4; an MP4 with
 *   its index at the end is spooled and transcoded when the body ends).
 *   `format` names FFmpeg's demuxer for raw input (ffmpeg's `-f`). At once a
 *   `103 Early Hints` gives the upload's id (`X-Upload-Id`) and its playlist
 *   (`Link`), so a client can watch while it uploads; once the HLS is
 *   finalized, `201 {"id","playlist","probe"}`. A beamflow error is
 *   `{"error":{"code","message"}}`: 400 for a bad request (an unknown
 *   `format`: BEAMFLOW_CONFIG), 422 for input that cannot be transcoded (not
 *   media, empty: BEAMFLOW_INPUT; undecodable: BEAMFLOW_FFMPEG), 500 for the
 *   server's own failures. A client that hangs up mid-upload has what arrived
 *   transcoded and the playlist finalized (`#EXT-X-ENDLIST`): it plays.
 * - `GET /uploads/ID/probe`: what `probe()` says of the upload (ffprobe's
 *   `-show_format -show_streams` as JSON). The request bytes are teed into
 *   `probe()` as they arrive, so this describes the input as uploaded (its
 *   container, codecs, sizes), not the HLS made of it; `format.size` is the
 *   body's length. Kept as `probe.json` beside the playlist.
 * - `GET /hls/ID/index.m3u8` and its segments, confined to that upload's
 *   directory: only plain names of playlists and segments are served.
 *
 * The playlist is an HLS "event" playlist: it grows while the upload arrives
 * (FFmpeg replaces it atomically at each segment) and ends with
 * `#EXT-X-ENDLIST`. There is no limit on concurrent uploads or body size
 * here; a public service wants both.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';
import { PassThrough, Transform, type Stream, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { BeamflowError, Decoder, Demuxer, probe, type ProbeResult } from '@beamflow/core';
import { Encoder, type EncoderConfig } from '@beamflow/encoder';
import { Muxer, Rescaler, type HlsOptions } from '@beamflow/muxer';
import { shown, userPath } from './user-paths.js';

/** Options of {@link createUploadServer}. */
export interface UploadServerOptions {
  /** Where uploads go: `<dir>/<id>/index.m3u8`, its segments and `probe.json`. */
  dir: string;
  /** x264 preset (default `'veryfast'`). */
  preset?: string;
  /** HLS segment length in seconds (default 2). */
  segmentDuration?: number;
  /** Where log lines go (default: stderr, time-stamped). */
  log?: (line: string) => void;
}

/** A running upload service: {@link createUploadServer}'s result. */
export interface UploadServer {
  readonly server: Server;
  /** Starts listening (port 0: any free port); resolves to the base URL, `http://host:port`. */
  listen(port?: number, host?: string): Promise<string>;
  /** Resolves once no upload is being transcoded (each one's stages closed, its response sent). */
  idle(): Promise<void>;
  /**
   * Stops taking connections; uploads in flight are cut where they are (what arrived is
   * transcoded and finalized, as when a client hangs up), then every connection is closed.
   */
  close(): Promise<void>;
}

/** Upload ids are UUIDs: nothing else names a directory here. */
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What `/hls/ID/NAME` may name: playlists and segments, plain names only. */
const HLS_FILE = /^[A-Za-z0-9_-]+\.(m3u8|ts|m4s|mp4)$/;
const CONTENT_TYPES: Record<string, string> = { m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t', m4s: 'video/mp4', mp4: 'video/mp4' };

/** An error as the client sees it. */
interface ErrorBody {
  error: { code: string; message: string };
}

/** The HTTP status for a failed upload: the input's fault (4xx) or the server's (500). */
function statusOf(err: unknown): number {
  if (!BeamflowError.isInstance(err)) return 500;
  switch (err.code) {
    case 'BEAMFLOW_CONFIG':
      return 400;
    // Bytes that are not media, an empty body, packets FFmpeg cannot demux or decode,
    // timestamps that go back: all about what was sent.
    case 'BEAMFLOW_INPUT':
    case 'BEAMFLOW_FFMPEG':
    case 'BEAMFLOW_TIMESTAMP':
      return 422;
    default:
      return 500;
  }
}

function errorBody(err: unknown): ErrorBody {
  // Untyped errors are the server's own: their text stays in the log.
  return BeamflowError.isInstance(err) ? { error: { code: err.code, message: err.message } } : { error: { code: 'INTERNAL', message: 'internal error' } };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers }).end(text);
}

/** Resolves once a stream has closed (a stage has released what it holds). */
function closed(s: Stream & { closed: boolean }): Promise<void> {
  return s.closed ? Promise.resolve() : new Promise((r) => s.once('close', () => r()));
}

/**
 * A pass-through for the request body that also feeds the first bytes to `probe()`, until the
 * probe has what it needs. The probe reads at its own pace and waits for no other stage, so
 * waiting for it keeps memory bounded without any risk of the two waiting for each other.
 */
function probeTap(format: string | undefined): { tap: Transform; probed: Promise<ProbeResult>; counted: { bytes: number } } {
  const feed = new PassThrough();
  const counted = { bytes: 0 };
  let settled = false;
  let release: (() => void) | undefined;
  // The demuxer the upload names (?format=) reads the probe's copy too.
  const probed = probe(feed, format !== undefined ? { format } : {});
  const done = (): void => {
    settled = true;
    feed.destroy();
    release?.();
  };
  probed.then(done, done);
  const tap = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
      counted.bytes += chunk.length;
      if (settled || feed.write(chunk)) return cb(null, chunk);
      const go = (): void => {
        feed.off('drain', go);
        release = undefined;
        cb(null, chunk);
      };
      release = go;
      feed.once('drain', go);
    },
    flush(cb: TransformCallback): void {
      if (!settled) feed.end();
      cb();
    },
  });
  // A failed transcode destroys the tap without flushing it: the probe still gets an end.
  tap.once('close', () => {
    if (!settled && !feed.writableEnded) feed.end();
  });
  return { tap, probed, counted };
}

/**
 * An HTTP server that transcodes POSTed video to HLS as the body arrives (see the file's
 * header for its routes). Call `listen()` to start it.
 *
 * @example
 * ```ts
 * const uploads = createUploadServer({ dir: 'out/uploads' });
 * console.error(`POST videos to ${await uploads.listen(8080)}/uploads`);
 * ```
 */
export function createUploadServer(options: UploadServerOptions): UploadServer {
  const root = resolve(options.dir);
  const encoding: EncoderConfig = { video: { codec: 'h264', preset: options.preset ?? 'veryfast' }, audio: { codec: 'aac' } };
  // An "event" playlist: it grows while the upload arrives, and says so to players.
  const hls: HlsOptions = { segmentDuration: options.segmentDuration ?? 2, playlistType: 'event' };
  // The server's own settings are checked once, here (ConfigErrors): a bad preset is the
  // operator's mistake, not a 400 for every upload. Nothing native is opened by either.
  new Encoder(encoding).destroy();
  new Muxer({ format: 'hls', output: join(root, 'index.m3u8'), hls }).destroy();
  const log = options.log ?? ((line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`));
  mkdirSync(root, { recursive: true });
  /** Uploads in flight, by id: their request (to cut them at close) and when each is settled. */
  const active = new Map<string, { req: IncomingMessage; settled: Promise<void> }>();
  let stopping = false;

  /** Answers an upload refused before it started, and reads (discards) the rest of its body. */
  function refuse(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    req.resume();
    sendJson(res, statusOf(err), errorBody(err));
  }

  async function transcode(id: string, req: IncomingMessage, res: ServerResponse, demuxer: Demuxer, format: string | undefined): Promise<void> {
    const dir = join(root, id);
    mkdirSync(dir);
    const { tap, probed, counted } = probeTap(format);
    let cut = false;
    // The request is piped, not handed to pipeline(): a failed transcode must not destroy it,
    // which would close the socket before the error could be answered.
    req.pipe(tap);
    req.on('error', () => undefined); // a client hanging up: handled on 'close' below
    req.once('close', () => {
      if (req.complete) return;
      // The body was cut short: what arrived is the input, transcoded to its end and finalized.
      cut = true;
      if (!tap.writableEnded) tap.end();
    });
    const decoder = new Decoder();
    const encoder = new Encoder(encoding);
    const rescaler = new Rescaler();
    const muxer = new Muxer({ format: 'hls', output: join(dir, 'index.m3u8'), hls });
    let failure: unknown;
    try {
      await pipeline(tap, demuxer, decoder, encoder, rescaler, muxer);
    } catch (err) {
      failure = err;
    }
    const stages = [tap, demuxer, decoder, encoder, rescaler, muxer];
    const received = counted.bytes;
    // Each stage has released what it holds (the Muxer has finalized the playlist) before
    // anything is reported.
    await Promise.all(stages.map(closed));
    const described = await probed.then(
      (r): ProbeResult | ErrorBody => ({ ...r, format: { ...r.format, size: received } }),
      (err: unknown): ErrorBody => errorBody(err),
    );
    if (failure !== undefined) {
      log(`upload ${id}: ${statusOf(failure)} ${BeamflowError.isInstance(failure) ? failure.code : 'error'}: ${failure instanceof Error ? failure.message : String(failure)}`);
      if (cut) return; // nobody to tell; what the Muxer finalized stays
      // Nothing of a refused upload is kept: the client is told why.
      rmSync(dir, { recursive: true, force: true });
      refuse(req, res, failure);
      return;
    }
    writeFileSync(join(dir, 'probe.json'), `${JSON.stringify(described, null, 2)}\n`);
    if (cut) {
      const who = stopping ? 'cut by the server stopping' : 'the client left';
      log(`upload ${id}: ${who} after ${received} bytes; what arrived is in /hls/${id}/index.m3u8`);
      return;
    }
    log(`upload ${id}: ${received} bytes → /hls/${id}/index.m3u8`);
    sendJson(res, 201, { id, playlist: `/hls/${id}/index.m3u8`, probe: `/uploads/${id}/probe` }, { Location: `/hls/${id}/index.m3u8` });
  }

  function startUpload(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void {
    const format = params.get('format');
    let demuxer: Demuxer;
    try {
      // spool: an MP4 with its index at the end cannot be streamed; it is written to a
      // temporary file and transcoded when the body ends instead of being refused.
      demuxer = new Demuxer({ spool: true, ...(format !== null ? { format } : {}) });
    } catch (err) {
      log(`upload refused: ${err instanceof Error ? err.message : String(err)}`);
      refuse(req, res, err);
      return;
    }
    const id = randomUUID();
    // The playlist exists once the first segment is written: a client may start watching then.
    res.writeEarlyHints({ link: `</hls/${id}/index.m3u8>; rel=alternate; type="application/vnd.apple.mpegurl"`, 'x-upload-id': id });
    const entry = { req, settled: Promise.resolve() };
    active.set(id, entry);
    entry.settled = transcode(id, req, res, demuxer, format ?? undefined)
      .catch((err: unknown) => {
        log(`upload ${id}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
        sendJson(res, 500, errorBody(err));
      })
      .finally(() => active.delete(id));
  }

  async function serveProbe(res: ServerResponse, id: string): Promise<void> {
    const file = join(root, id, 'probe.json');
    // Asked while the upload is in flight: answered once it is done.
    const pending = active.get(id);
    if (pending) await pending.settled;
    let body: ProbeResult | ErrorBody;
    try {
      body = JSON.parse(readFileSync(file, 'utf8')) as ProbeResult | ErrorBody;
    } catch {
      sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no upload ${id}` } });
      return;
    }
    sendJson(res, 'error' in body ? 422 : 200, body);
  }

  function serveHls(req: IncomingMessage, res: ServerResponse, rawId: string, rawName: string): void {
    let id: string;
    let name: string;
    try {
      id = decodeURIComponent(rawId);
      name = decodeURIComponent(rawName);
    } catch {
      sendJson(res, 400, { error: { code: 'BAD_PATH', message: 'malformed path' } });
      return;
    }
    const ext = HLS_FILE.exec(name)?.[1];
    const path = resolve(root, id, name);
    // Plain names only, and the resolved path checked too: `..`, encoded slashes and
    // anything that is not a playlist or a segment never reach the filesystem.
    if (!ID.test(id) || ext === undefined || !path.startsWith(root + sep)) {
      sendJson(res, 400, { error: { code: 'BAD_PATH', message: 'not a playlist or segment name' } });
      return;
    }
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no ${name} for upload ${id}` } });
      return;
    }
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[ext]!,
      'Content-Length': size,
      // A playlist grows until its upload is done; segments never change.
      'Cache-Control': ext === 'm3u8' ? 'no-cache' : 'max-age=86400',
      'Access-Control-Allow-Origin': '*',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(path, { start: 0, end: size - 1 }).on('error', () => res.destroy()).pipe(res);
  }

  const server = createServer({ requestTimeout: 0 }, (req, res) => {
    // requestTimeout 0: an upload over a slow link may take longer than Node's default 5 minutes.
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const probeRoute = /^\/uploads\/([^/]+)\/probe$/.exec(rawPath);
    const hlsRoute = /^\/hls\/([^/]+)\/([^/]+)$/.exec(rawPath);
    const reading = req.method === 'GET' || req.method === 'HEAD';
    if (rawPath === '/uploads') {
      if (req.method === 'POST') startUpload(req, res, params);
      else refuseMethod(req, res, 'POST');
    } else if (probeRoute) {
      if (!reading) refuseMethod(req, res, 'GET, HEAD');
      else if (!ID.test(probeRoute[1]!)) sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'no such upload' } });
      else void serveProbe(res, probeRoute[1]!);
    } else if (hlsRoute) {
      if (reading) serveHls(req, res, hlsRoute[1]!, hlsRoute[2]!);
      else refuseMethod(req, res, 'GET, HEAD');
    } else {
      req.resume();
      sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'routes: POST /uploads, GET /uploads/ID/probe, GET /hls/ID/index.m3u8' } });
    }
  });

  function refuseMethod(req: IncomingMessage, res: ServerResponse, allow: string): void {
    req.resume();
    sendJson(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: `use ${allow}` } }, { Allow: allow });
  }

  const idle = async (): Promise<void> => {
    while (active.size > 0) await Promise.all([...active.values()].map((u) => u.settled));
  };

  return {
    server,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolveUrl, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const { port: bound } = server.address() as AddressInfo;
          resolveUrl(`http://${host.includes(':') ? `[${host}]` : host}:${bound}`);
        });
      });
    },
    idle,
    async close() {
      stopping = true;
      const stopped = new Promise<void>((r) => server.close(() => r()));
      for (const u of active.values()) u.req.destroy();
      await idle();
      server.closeAllConnections();
      await stopped;
    },
  };
}

/** Run as a script: a server until SIGINT or SIGTERM. */
async function main(): Promise<void> {
  const usage = 'usage: upload-server [PORT] [--host HOST] [--dir DIR] [--preset P]';
  // `pnpm run upload-server -- 8080` hands its `--` on to the script.
  const argv = process.argv.slice(2);
  if (argv[0] === '--') argv.shift();
  const { values, positionals } = parseArgs({
    args: argv,
    options: { host: { type: 'string' }, dir: { type: 'string' }, preset: { type: 'string' } },
    allowPositionals: true,
  });
  const port = Number(positionals[0] ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  // Loopback unless asked: every upload costs an encoder.
  const host = values.host ?? '127.0.0.1';
  const dir = userPath(values.dir ?? 'out/uploads');
  let app: UploadServer;
  try {
    app = createUploadServer({ dir, ...(values.preset ? { preset: values.preset } : {}) });
  } catch (err) {
    // A ConfigError names the setting and what it allows (`video.preset: …`).
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${usage}\n`);
    process.exit(2);
  }
  let base: string;
  try {
    base = await app.listen(port, host);
  } catch (err) {
    process.stderr.write(`cannot serve on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  process.stderr.write(`uploads to ${shown(dir)}; try: curl -sS -X POST -T in.mp4 ${base}/uploads\n`);
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) process.exit(130); // a second Ctrl-C: do not wait
      stopping = true;
      process.stderr.write(`${sig}: finishing the uploads in flight\n`);
      void app.close().then(() => process.stderr.write('stopped\n'));
    });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) void main();
