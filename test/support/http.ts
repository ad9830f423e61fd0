/**
 * A loopback HTTP server that answers 404 and counts the requests it gets:
 * the witness that untrusted input reached (or did not reach) the network.
 * Started before the file's tests, closed after them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export interface CountingServer {
  /** The port it listens on (127.0.0.1), once started. */
  readonly port: number;
  /** Requests since the last reset. */
  readonly requests: number;
  reset(): void;
}

export function countingServer(): CountingServer {
  let port = 0;
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.statusCode = 404;
    res.end();
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    get port() {
      return port;
    },
    get requests() {
      return requests;
    },
    reset() {
      requests = 0;
    },
  };
}
