import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile } from '@beamflow/core';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';
import { countingServer } from '../../../../test/support/http.js';

expectNoNativeLeaks();

const http = countingServer();
const dir = mkdtempSync(join(tmpdir(), 'beamflow-untrusted-'));

async function drain(path: string, opts: Parameters<typeof decodeFile>[1] = {}): Promise<unknown> {
  try {
    for await (const _ of decodeFile(path, opts)) {
      // consume
    }
    return undefined;
  } catch (err) {
    return err;
  }
}

function playlist(name: string, segment: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n${segment}\n#EXT-X-ENDLIST\n`);
  return path;
}

describe('untrusted input: FFmpeg may only use the protocols the caller allows', () => {
  it('an HLS playlist pointing at http:// is refused, and no request leaves the process', async () => {
    http.reset();
    const err = await drain(playlist('remote.m3u8', `http://127.0.0.1:${http.port}/seg.ts`));
    expect(err).toMatchObject({ code: 'BEAMFLOW_INPUT' });
    expect(http.requests).toBe(0);
  });

  it('the same playlist does reach the server once the caller widens the protocols (the check above can fail)', async () => {
    http.reset();
    const err = await drain(playlist('remote2.m3u8', `http://127.0.0.1:${http.port}/seg.ts`), { protocols: ['file', 'http', 'tcp'] });
    expect(err).toBeDefined(); // the server answers 404: no media
    expect(http.requests).toBeGreaterThan(0);
  });

  it('an HLS playlist pointing at file:///etc/passwd is refused', async () => {
    expect(await drain(playlist('passwd.m3u8', 'file:///etc/passwd'))).toMatchObject({ code: 'BEAMFLOW_INPUT' });
  });

  it('a concat list naming /etc/passwd is refused before FFmpeg opens it', async () => {
    const path = join(dir, 'list.ffconcat');
    writeFileSync(path, "ffconcat version 1.0\nfile '/etc/passwd'\n");
    expect(() => decodeFile(path)).toThrow(expect.objectContaining({ code: 'BEAMFLOW_INPUT' }));
  });

  it('a URL input needs its scheme allowed explicitly', () => {
    expect(() => decodeFile(`http://127.0.0.1:${http.port}/x.mp4`)).toThrow(expect.objectContaining({ code: 'BEAMFLOW_CONFIG', field: 'protocols' }));
  });
});

describe('inputs FFmpeg refuses quickly', () => {
  it('300 refused opens in a row end in typed errors, never in a crash (beamcoder status race, patched)', async () => {
    const { spawnSync } = await import('node:child_process');
    const { pathToFileURL } = await import('node:url');
    const root = join(__dirname, '../../../..');
    const bad = playlist('refused.m3u8', 'file:///etc/passwd');
    const script = join(dir, 'refuse-loop.mts');
    writeFileSync(script, `
      import { decodeFile } from ${JSON.stringify(join(root, 'packages/core/src/index.ts'))};
      let typed = 0;
      for (let i = 0; i < 300; i++) {
        try { for await (const _ of decodeFile(${JSON.stringify(bad)})) { /* */ } } catch (e) { if ((e as { code?: string }).code === 'BEAMFLOW_INPUT') typed++; }
      }
      process.stderr.write('typed ' + typed + '\\n');`);
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, script], { encoding: 'utf8' });
    expect(r.signal).toBeNull();
    expect(r.status, r.stderr.slice(-500)).toBe(0);
    expect(r.stderr).toContain('typed 300');
  }, 120_000);
});
