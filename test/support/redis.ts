/**
 * A real Redis for the tests: Debian's `redis-server`, run in the foreground
 * on a free loopback port with its own directory, no persistence by default
 * (`--save '' --appendonly no`), and stopped after the test file. `restart()`
 * stops the process and starts a new one on the same port and directory,
 * which is how a test makes "Redis restarted mid-job" happen; for the data to
 * survive that, ask for `persistent: true` (an append-only file fsynced on
 * every write, as a production Redis behind BullMQ should run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll } from 'vitest';
import { freePort } from './net.js';

const REDIS = 'redis-server';

export interface TestRedis {
  port: number;
  /** `redis://127.0.0.1:PORT` (with the password when one was asked for). */
  url: string;
  /** Output the server printed (its log goes to stdout). */
  log(): string;
  /** Stop the process (SIGTERM, then SIGKILL after 5 s) and start it again on the same port. */
  restart(opts?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export interface TestRedisOptions {
  /** Keep the data across `restart()`: an append-only file, fsynced on every write. */
  persistent?: boolean;
  /** `--requirepass`: clients must authenticate. */
  password?: string;
}


/** Whether something answers PING on the port (a bare TCP accept is not enough: Redis may still be loading). */
function pong(port: number, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    let buf = '';
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
    s.once('connect', () => s.write(`${password ? `AUTH ${password}\r\n` : ''}PING\r\n`));
    s.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('+PONG') || buf.includes('-')) {
        s.destroy();
        resolve(buf.includes('+PONG'));
      }
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Every server this file started, stopped after the test file. The hook is registered when the
 * module is imported (while vitest collects the file): a hook registered from inside a
 * `beforeAll` or a test, where servers are started, would never run, and the servers would
 * outlive the test process.
 */
const started = new Set<{ stop(): Promise<void>; kill(): void; dir: string }>();
afterAll(async () => {
  await Promise.all([...started].map((r) => r.stop()));
  for (const r of started) if (!process.env.BEAMFLOW_KEEP_TEST_OUTPUT) rmSync(r.dir, { recursive: true, force: true });
  started.clear();
});
// A test process that dies without its hooks still takes its servers with it.
process.once('exit', () => {
  for (const r of started) r.kill();
});

/** Start a private redis-server for the calling test file; it is stopped after the file's tests. */
export async function startRedis(opts: TestRedisOptions = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'beamflow-redis-'));
  const port = await freePort();
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    ...(opts.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(opts.password ? ['--requirepass', opts.password] : []),
    // BullMQ's own advice for a queue: never evict keys under memory pressure.
    '--maxmemory-policy', 'noeviction',
  ];
  let out = '';
  let proc: ChildProcess | undefined;
  let exited: string | undefined;

  const launch = async (): Promise<void> => {
    exited = undefined;
    const p = spawn(REDIS, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    p.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    p.once('exit', (code, sig) => {
      exited = `redis-server exited (code ${String(code)}, signal ${String(sig)})`;
    });
    p.once('error', (err) => {
      exited = (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? `${REDIS} is not installed: install Debian's redis-server (make setup-test does) to run the cluster tests`
        : `redis-server failed to start: ${err.message}`;
    });
    const deadline = Date.now() + 15_000;
    while (!(await pong(port, opts.password))) {
      if (exited) throw new Error(`${exited}\n${out.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on 127.0.0.1:${port} within 15 s\n${out.slice(-3000)}`);
      await sleep(50);
    }
  };

  const stop = async (): Promise<void> => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  };

  started.add({ stop, kill: () => proc?.kill('SIGKILL'), dir });
  await launch();
  return {
    port,
    url: `redis://${opts.password ? `:${encodeURIComponent(opts.password)}@` : ''}127.0.0.1:${port}`,
    log: () => out,
    async restart({ downMs = 1000 } = {}) {
      await stop();
      await sleep(downMs);
      await launch();
    },
    stop,
  };
}
