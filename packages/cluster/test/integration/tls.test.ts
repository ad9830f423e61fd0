/**
 * The cluster over TLS, against a real Redis that speaks only TLS on
 * loopback, its certificate signed by a private CA that the openssl command
 * line makes for the test (test/support/redis.ts): a worker process given the
 * CA (`--redis-ca`) and a coordinator given it (`tls.ca`) transcode a 3 s
 * input made by the ffmpeg command line, judged by ffprobe (every frame, a
 * clean decode), with and without a password. A client that does not trust
 * the server's certificate (no CA, another CA) or checks it for another name
 * fails at once with a ConfigError saying so: no retry fixes a certificate,
 * so waiting out the connect deadline would only hide the reason. A plain
 * `redis://` client at the TLS port is not tested: the server resets each
 * attempt (ECONNRESET), which is indistinguishable from a Redis going down,
 * so it fails only at the deadline, as an unreachable Redis does.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@beamflow/core';
import { startWorker, submitTranscode, type TranscodeOptions } from '@beamflow/cluster';
import { decodeErrors, outcome, streams, tempDir } from '../../../../test/support/media.js';
import { startRedis, type TestRedis } from '../../../../test/support/redis.js';
import { makeInput, startWorkerProcess, videoFrameTimes } from '../support.js';

const storage = tempDir('cluster-tls');
const input = join(storage, 'in', 'input.mp4');
let redis: TestRedis;
let locked: TestRedis;
let inputFrames: number;
// Node's warnings in this process (the coordinator's side), e.g. DEP0123 for an IP address sent as SNI.
const warnings: Error[] = [];
process.on('warning', (w) => warnings.push(w));

/** Far beyond the tests' own timeouts: a failure that waited for it would fail the test instead. */
const NEVER = 600_000;

beforeAll(async () => {
  mkdirSync(join(storage, 'in'), { recursive: true });
  makeInput(input, { seconds: 3, size: '160x96', preset: 'ultrafast' });
  inputFrames = videoFrameTimes(input).length;
  [redis, locked] = await Promise.all([startRedis({ tls: true }), startRedis({ tls: true, password: 'pa:ss@word' })]);
});

function job(output: string, extra: Partial<TranscodeOptions> = {}): TranscodeOptions {
  return { storage, input: 'in/input.mp4', output, segmentSeconds: 2, video: { preset: 'ultrafast', threads: 1 }, ...extra };
}

/** The output has every frame of the input, the asked-for size, and decodes without an error. */
function judge(output: string, codecs: string[]): void {
  const s = streams(output);
  expect(s.map((x) => x.codec_name)).toEqual(codecs);
  expect(s[0]).toMatchObject({ width: 160, height: 96 });
  expect(videoFrameTimes(output)).toHaveLength(inputFrames);
  expect(decodeErrors(output)).toBe('');
}

/** The error a promise rejected with (failing the test when it resolved). */
async function rejection(p: Promise<unknown>): Promise<ConfigError> {
  const r = await outcome(p);
  expect(r.ok).toBe(false);
  return (r as { error: ConfigError }).error;
}

describe('a Redis that speaks only TLS, its certificate from a private CA', () => {
  it('serves rediss:// only, and the test knows its CA', () => {
    expect(redis.url).toBe(`rediss://127.0.0.1:${redis.port}`);
    expect(readFileSync(redis.ca!, 'utf8')).toContain('-----BEGIN CERTIFICATE-----');
    expect(redis.ca).not.toBe(locked.ca);
  });

  it('runs a transcode: a worker process with --redis-ca, a coordinator with tls.ca', async () => {
    const w = await startWorkerProcess({ redis: redis.url, storage, redisCa: redis.ca! });
    const submitted = await submitTranscode(redis.url, job('out/tls.mp4', { audio: { bitRate: 64_000 }, tls: { ca: redis.ca! } }));
    expect(submitted.segments.map((s) => [s.start, s.end])).toEqual([[0, 2], [2, null]]);
    const done = await submitted.done;
    await w.stop();
    expect(done).toMatchObject({ output: 'out/tls.mp4', frames: inputFrames, segments: 2 });
    judge(join(storage, 'out', 'tls.mp4'), ['h264', 'aac']);
    // Every piece went over the one connection (never lost and retried), and no side sent
    // the IP address as SNI (Node's DEP0123 warning).
    expect(w.stderr()).not.toMatch(/redis: .*reconnecting/);
    expect(w.stderr()).not.toContain('DEP0123');
    expect(warnings.map((x) => x.message).filter((m) => /ServerName/.test(m))).toEqual([]);
  }, 120_000);

  it('with a password too; a wrong one is refused at once and not shown', async () => {
    expect(locked.url).toBe(`rediss://:pa%3Ass%40word@127.0.0.1:${locked.port}`);
    const w = await startWorkerProcess({ redis: locked.url, storage, redisCa: locked.ca! });
    const done = await (await submitTranscode(locked.url, job('out/password.mp4', { audio: false, tls: { ca: locked.ca! } }))).done;
    await w.stop();
    expect(done.frames).toBe(inputFrames);
    judge(join(storage, 'out', 'password.mp4'), ['h264']);

    const err = await rejection(submitTranscode(locked.url.replace(/:[^:@/]*@/, ':not-the-pass@'), job('out/nope.mp4', { tls: { ca: locked.ca! }, connectTimeoutMs: NEVER })));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'connection' });
    expect(err.message).toMatch(/refused the credentials: WRONGPASS/);
    expect(err.message).toContain(`rediss://:***@127.0.0.1:${locked.port}`);
    expect(err.message).not.toContain('not-the-pass');
  }, 120_000);

  it('a client without the CA fails at once: the certificate is not trusted, pass the CA', async () => {
    // A deadline far beyond the test's timeout: only a failure at once, not the deadline's, passes.
    const err = await rejection(submitTranscode(redis.url, job('out/untrusted.mp4', { connectTimeoutMs: NEVER })));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'connection' });
    expect(err.message).toContain(`Redis at rediss://127.0.0.1:${redis.port} presented a certificate this client does not trust`);
    // The server sends its CA along with its certificate, so Node names a self-signed CA in the chain.
    expect(err.message).toMatch(/\(SELF_SIGNED_CERT_IN_CHAIN: self-signed certificate in certificate chain\)/);
    expect(err.message).toMatch(/pass the CA that signed it \(--redis-ca FILE on the command line, tls\.ca in the API\)/);

    // Another CA (the other server's) is no better.
    const other = await rejection(submitTranscode(redis.url, job('out/untrusted.mp4', { tls: { ca: locked.ca! }, connectTimeoutMs: NEVER })));
    expect(other).toBeInstanceOf(ConfigError);
    expect(other.message).toMatch(/does not trust \(SELF_SIGNED_CERT_IN_CHAIN/);

    // A worker alike: in this process, and as a process that exits before it takes jobs.
    const inProcess = await rejection(startWorker({ connection: redis.url, storage, connectTimeoutMs: NEVER }));
    expect(inProcess).toBeInstanceOf(ConfigError);
    expect(inProcess.message).toMatch(/does not trust .*--redis-ca FILE/);
    const proc = await outcome(startWorkerProcess({ redis: redis.url, storage }));
    expect(proc.ok).toBe(false);
    expect(String((proc as { error: Error }).error.message)).toMatch(/worker exited \(1, null\) before it was ready: [^]*does not trust \(SELF_SIGNED_CERT_IN_CHAIN/);
    // The start fails with the reason; the worker does not first announce a reconnect that cannot help.
    expect(String((proc as { error: Error }).error.message)).not.toMatch(/reconnecting/);
  }, 60_000);

  it('a certificate for other names fails at once too, naming Node\'s reason', async () => {
    const err = await rejection(submitTranscode(
      { host: '127.0.0.1', port: redis.port, tls: { ca: readFileSync(redis.ca!), servername: 'redis.example' } },
      job('out/altname.mp4', { connectTimeoutMs: NEVER }),
    ));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'connection' });
    expect(err.message).toContain(`Redis at rediss://127.0.0.1:${redis.port} presented a certificate that failed verification (ERR_TLS_CERT_ALTNAME_INVALID: `);
    expect(err.message).toContain('IP Address:127.0.0.1, DNS:localhost');
  }, 60_000);

  it('insecure: true connects without the CA (for tests only)', async () => {
    const w = await startWorker({ connection: redis.url, storage, tls: { insecure: true }, connectTimeoutMs: 30_000 });
    await w.close();
  }, 60_000);
});
