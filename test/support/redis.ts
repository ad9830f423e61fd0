/**
 * A real Redis for the tests: Debian's `redis-server`, run in the foreground
 * on a free loopback port with its own directory, no persistence by default
 * (`--save '' --appendonly no`), and stopped after the test file. `restart()`
 * stops the process and starts a new one on the same port and directory,
 * which is how a test makes "Redis restarted mid-job" happen; for the data to
 * survive that, ask for `persistent: true` (an append-only file fsynced on
 * every write, as a production Redis behind BullMQ should run). With
 * `tls: true` it speaks only TLS (`rediss://`): the openssl command line makes
 * a private CA and a server certificate it signs for 127.0.0.1 and localhost,
 * as a deployment with its own CA would have, so the clients must be given
 * the CA (`ca`) to trust the server.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll } from 'vitest';
import { freePort } from './net.js';

const REDIS = 'redis-server';

export interface TestRedis {
  port: number;
  /** `redis://127.0.0.1:PORT`, or `rediss://` with `tls` (with the password when one was asked for). */
  url: string;
  /** With `tls`: the PEM file of the CA that signed the server's certificate. */
  ca?: string;
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
  /** TLS only (`--port 0 --tls-port`), with a certificate from a private CA (`ca`). */
  tls?: boolean;
}

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
}

/**
 * A CA and a server certificate it signs, in `dir`. The configuration is written here rather
 * than taken from the machine's openssl.cnf, so what the certificates carry does not depend on
 * it: a CA marked as one, and a server certificate whose names are what a client checks (an IP
 * address is matched against the IP entries of subjectAltName, never the CN).
 */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  writeFileSync(join(dir, 'ca.cnf'), [
    '[req]', 'distinguished_name = dn', 'prompt = no', 'x509_extensions = ca',
    '[dn]', 'CN = beamflow test CA',
    '[ca]', 'basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash', '',
  ].join('\n'));
  writeFileSync(join(dir, 'server.ext'), [
    'basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature, keyEncipherment', 'extendedKeyUsage = serverAuth',
    'subjectAltName = IP:127.0.0.1, DNS:localhost', 'authorityKeyIdentifier = keyid', '',
  ].join('\n'));
  // P-256 keys: made in milliseconds, where RSA keys can take a second on a busy machine.
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, ['req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '7', '-config', 'ca.cnf']);
  openssl(dir, ['req', '-new', ...key, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '1', '-days', '7', '-extfile', 'server.ext', '-out', 'server.pem']);
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

/**
 * Whether something answers PING on the port (a bare TCP accept is not enough: Redis may still be
 * loading). Over TLS when `ca` is given, trusting only that CA: a server the clients could not
 * verify is not ready for them. No servername: Node checks an IP host against the certificate's
 * IP entries, and an IP address may not be sent as SNI.
 */
function pong(port: number, password?: string, ca?: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const s: Socket = ca ? tlsConnect({ host: '127.0.0.1', port, ca }) : createConnection({ host: '127.0.0.1', port });
    let buf = '';
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
    s.once(ca ? 'secureConnect' : 'connect', () => s.write(`${password ? `AUTH ${password}\r\n` : ''}PING\r\n`));
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
  const certs = opts.tls ? makeCertificates(dir) : undefined;
  const caPem = certs ? readFileSync(certs.ca) : undefined;
  const args = [
    ...(certs
      ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no']
      : ['--port', String(port)]),
    '--bind', '127.0.0.1', '--dir', dir, '--save', '',
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
    while (!(await pong(port, opts.password, caPem))) {
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
    url: `${certs ? 'rediss' : 'redis'}://${opts.password ? `:${encodeURIComponent(opts.password)}@` : ''}127.0.0.1:${port}`,
    ...(certs ? { ca: certs.ca } : {}),
    log: () => out,
    async restart({ downMs = 1000 } = {}) {
      await stop();
      await sleep(downMs);
      await launch();
    },
    stop,
  };
}
