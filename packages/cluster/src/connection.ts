/**
 * The Redis connection: a URL (`redis://` or `rediss://` for TLS, with a
 * user and password when the server wants them, and a database number) or
 * an ioredis instance the application already has.
 *
 * Protocol
 * - One connection is reused for everything that does not block (BullMQ's
 *   Queue and FlowProducer); BullMQ duplicates it for what blocks (a Worker's
 *   fetch, QueueEvents). An instance the caller passed is never closed here.
 * - `maxRetriesPerRequest: null`: a command waits for Redis to come back
 *   instead of failing after 20 retries, so a restarted Redis does not fail
 *   the jobs in flight (BullMQ requires it for workers). ioredis reconnects
 *   with a backoff capped at 2 s.
 * - The first connection is awaited (`whenReady`): refused credentials fail at
 *   once (a ConfigError: retrying will not fix a password), and so does a
 *   server certificate that fails verification (untrusted, for another name,
 *   expired: a ConfigError naming Node's reason, and for an untrusted one the
 *   advice to pass its CA); a Redis that cannot be reached within the
 *   deadline fails with the last reason; after that, a lost connection is
 *   waited for, never failed.
 * - A password never appears in an error message or a log line: `redactUrl`.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { BeamflowError, ConfigError } from '@beamflow/core';

/** How to reach Redis: a URL, ioredis options, or an ioredis instance to share. */
export type RedisConnectionInput = string | RedisOptions | Redis;

/** TLS details that a URL cannot carry. */
export interface RedisTlsOptions {
  /** A CA certificate (PEM) or its file, for a server whose certificate a private CA signed. */
  ca?: string | Buffer;
  /** Skip verifying the server's certificate (tests only). */
  insecure?: boolean;
}

/** `redis://user:pass@host` → `redis://user:***@host`, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)([^@/]*)@/i, (_m, scheme: string, auth: string) => {
    const user = auth.includes(':') ? auth.slice(0, auth.indexOf(':')) : '';
    return `${scheme}${user}${auth.includes(':') || user === '' ? ':***' : ''}@`;
  });
}

/** ioredis options from a Redis URL (checked; a ConfigError naming `field` otherwise). */
export function redisOptionsFromUrl(url: string, field = 'redis', tls?: RedisTlsOptions): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(field, `${redactUrl(url)} is not a URL; expected redis://[user:password@]host[:port][/db] or rediss://… for TLS`);
  }
  const scheme = u.protocol.replace(/:$/, '').toLowerCase();
  if (scheme !== 'redis' && scheme !== 'rediss') throw new ConfigError(field, `scheme ${scheme}:// is not Redis; use redis:// or rediss:// (TLS)`, ['redis', 'rediss']);
  if (!u.hostname) throw new ConfigError(field, `${redactUrl(url)} names no host`);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) throw new ConfigError(field, `database must be a number (got /${db})`);
  const opts: RedisOptions = {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== '' ? { db: Number(db) } : {}),
  };
  if (scheme === 'rediss' || tls) opts.tls = tlsOptions(opts.host!, tls, field);
  return opts;
}

/** ioredis's `tls` for a host and the TLS details given beside the URL or options. */
function tlsOptions(host: string, tls: RedisTlsOptions | undefined, field: string, base: RedisOptions['tls'] = {}): NonNullable<RedisOptions['tls']> {
  const ca = tls?.ca === undefined ? undefined : typeof tls.ca === 'string' && !tls.ca.includes('-----BEGIN') ? readCa(tls.ca, field) : tls.ca;
  // SNI carries host names only: Node warns (DEP0123) at an IP address, and checks an IP host
  // against the certificate's IP entries without it.
  return { ...(isIP(host) ? {} : { servername: host }), ...base, ...(ca ? { ca } : {}), ...(tls?.insecure ? { rejectUnauthorized: false } : {}) };
}

/** A CA file's PEM; a ConfigError naming the file when it cannot be read. */
function readCa(file: string, field: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`${field}.tls.ca`, `cannot read the CA certificate ${file}: ${(err as Error).message}; pass a PEM file (--redis-ca FILE) or the PEM text`);
  }
}

/** Options every connection of this package gets (see the file's header). */
function withDefaults(opts: RedisOptions): RedisOptions {
  return {
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
    ...opts,
  };
}

/** A connection to use, and whether it is ours to close. */
export interface OwnedConnection {
  redis: Redis;
  owned: boolean;
}

/** An ioredis instance for the input: the caller's own, or a new one this package will close. */
export function openConnection(input: RedisConnectionInput, field = 'connection', tls?: RedisTlsOptions): OwnedConnection {
  const instance = input instanceof Redis || (typeof input === 'object' && input !== null
    // Another copy of ioredis (the application's own) is an instance too, if not of this class.
    && typeof (input as { duplicate?: unknown }).duplicate === 'function' && typeof (input as { sendCommand?: unknown }).sendCommand === 'function');
  if (instance) {
    // The caller's connection is already made: TLS details given beside it would be ignored.
    if (tls) throw new ConfigError(`${field}.tls`, 'TLS details cannot be applied to an ioredis instance; give them to the instance itself (its tls option), or pass a URL or options');
    return { redis: input as Redis, owned: false };
  }
  if (typeof input === 'string') return { redis: new Redis(withDefaults(redisOptionsFromUrl(input, field, tls))), owned: true };
  if (typeof input === 'object' && input !== null) {
    const opts = tls ? { ...input, tls: tlsOptions(input.host ?? '127.0.0.1', tls, field, input.tls) } : input;
    return { redis: new Redis(withDefaults(opts)), owned: true };
  }
  throw new ConfigError(field, 'must be a redis:// URL, ioredis options or an ioredis instance');
}

/** Close a connection if it is ours (quit, and disconnect if Redis does not answer in time). */
export async function closeConnection(c: OwnedConnection): Promise<void> {
  if (!c.owned) return;
  if (c.redis.status === 'end') return;
  const quit = c.redis.quit().catch(() => undefined);
  const timer = setTimeout(() => c.redis.disconnect(), 2000);
  await quit;
  clearTimeout(timer);
  c.redis.disconnect();
}

/** Replies that mean the credentials are wrong (or missing): no retry fixes them. */
const AUTH = /WRONGPASS|NOAUTH|NOPERM|invalid password|Client sent AUTH/i;

/**
 * Node's codes for a server certificate that does not chain to a CA this client trusts. (A
 * server that sends its CA along gives SELF_SIGNED_CERT_IN_CHAIN, one that sends the leaf
 * alone UNABLE_TO_VERIFY_LEAF_SIGNATURE.)
 */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'INVALID_CA',
]);
/** Other verification failures of the server's certificate: a retry meets the same certificate. */
const CERT_FAILED = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE', 'INVALID_PURPOSE', 'PATH_LENGTH_EXCEEDED', 'CERT_CHAIN_TOO_LONG',
]);

/** The ConfigError for a server certificate that failed verification, or undefined for any other error. */
function certificateError(err: Error, label: string, field: string): ConfigError | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === undefined || (!UNTRUSTED.has(code) && !CERT_FAILED.has(code))) return undefined;
  const reason = `${code}: ${err.message.split('\n')[0]}`;
  const at = `Redis at ${redactUrl(label)}`;
  if (UNTRUSTED.has(code)) {
    return new ConfigError(field, `${at} presented a certificate this client does not trust (${reason}); pass the CA that signed it (--redis-ca FILE on the command line, tls.ca in the API)`);
  }
  return new ConfigError(field, `${at} presented a certificate that failed verification (${reason})`);
}

/**
 * The ConfigError for a connection error that no retry can fix (credentials refused, a server
 * certificate that fails verification), or undefined for one that a reconnect may outlive.
 */
export function fatalConnectionError(err: Error, label: string, field = 'connection'): ConfigError | undefined {
  if (AUTH.test(err.message)) return new ConfigError(field, `Redis at ${redactUrl(label)} refused the credentials: ${err.message.split('\n')[0]}`);
  return certificateError(err, label, field);
}

/**
 * Wait until the connection is ready; a ConfigError at once when Redis refuses the credentials
 * or its certificate fails verification, a BeamflowError when it cannot be reached within
 * `timeoutMs`.
 */
export function whenReady(redis: Redis, label: string, timeoutMs: number, field = 'connection'): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let last = '';
    const done = (err?: Error): void => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onReady = (): void => done();
    const onError = (err: Error): void => {
      last = err.message;
      const fatal = fatalConnectionError(err, label, field);
      if (fatal) done(fatal);
    };
    const timer = setTimeout(() => done(new BeamflowError('BEAMFLOW_ERROR', `cannot reach Redis at ${redactUrl(label)} within ${Math.round(timeoutMs / 1000)} s${last ? `: ${last}` : ''}`)), timeoutMs);
    redis.on('ready', onReady);
    redis.on('error', onError);
  });
}

/** A label for messages: the URL (redacted later), or host:port of an instance or options. */
export function labelOf(input: RedisConnectionInput): string {
  if (typeof input === 'string') return input;
  const o = ((input as { options?: RedisOptions }).options ?? input) as RedisOptions;
  return `${o.tls ? 'rediss' : 'redis'}://${o.host ?? '127.0.0.1'}:${o.port ?? 6379}`;
}
