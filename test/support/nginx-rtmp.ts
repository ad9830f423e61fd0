/**
 * A real RTMP server for the tests: Debian's nginx with its RTMP module, run
 * in the foreground on a free loopback port with a config, pid and logs of its
 * own in a directory the caller gives. `application live` relays what is
 * published to `rtmp://127.0.0.1:PORT/live/NAME` and records nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './net.js';

const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
const NGINX = '/usr/sbin/nginx';

export interface NginxRtmp {
  port: number;
  /** nginx's error log (level info: it names each publish and play). */
  log(): string;
  stop(): Promise<void>;
}


function accepts(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port: p });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Start nginx-rtmp; `application` is the body of `application live { … }`. */
export async function startNginxRtmp(dir: string, application = 'live on;'): Promise<NginxRtmp> {
  if (!existsSync(RTMP_MODULE)) {
    throw new Error(`${RTMP_MODULE} is missing: install Debian's nginx-light and libnginx-mod-rtmp (make setup-test does) to run the RTMP tests`);
  }
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: install Debian's nginx-light (make setup-test does)`);
  const port = await freePort();
  const errorLog = join(dir, 'error.log');
  const log = (): string => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '(no error.log)');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, [
    `load_module ${RTMP_MODULE};`,
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${errorLog} info;`,
    'events { worker_connections 64; }',
    'rtmp {',
    '  server {',
    `    listen 127.0.0.1:${port};`,
    `    application live { ${application} }`,
    '  }',
    '}',
    '',
  ].join('\n'));
  const proc: ChildProcess = spawn(NGINX, ['-c', conf, '-p', dir, '-e', errorLog], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exited: string | undefined;
  proc.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  proc.once('exit', (code, sig) => {
    exited = `nginx exited (code ${String(code)}, signal ${String(sig)}): ${stderr}`;
  });
  proc.once('error', (err) => {
    exited = `nginx failed to start: ${err.message}`;
  });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (exited) throw new Error(`${exited}\n${log()}`);
    if (Date.now() > deadline) throw new Error(`nginx did not accept connections on 127.0.0.1:${port} within 10 s\n${stderr}\n${log()}`);
    await sleep(50);
  }
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  };
  return { port, log, stop };
}
