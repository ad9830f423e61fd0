import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { _setNativeAddonPath, beamcoder } from '../../src/native.js';
import { BeamflowError } from '../../src/errors.js';

const root = resolve(__dirname, '../../../..');

describe('loading beamcoder', () => {
  it('writes nothing to stdout and creates no file, even when the addon is used', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'beamflow-cwd-'));
    const scriptDir = mkdtempSync(join(tmpdir(), 'beamflow-script-'));
    const script = join(scriptDir, 'load.mts');
    writeFileSync(
      script,
      `import * as core from ${JSON.stringify(join(root, 'packages/core/src/index.ts'))};
       const v = core.ffmpegVersion();
       let n = 0;
       for await (const e of core.testPattern({ video: { width: 64, height: 36, frameRate: 25 }, frames: 3 })) n++;
       process.stderr.write('version ' + v + ' items ' + n + '\\n');`,
    );
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, script], {
      cwd,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/version \S+ items 4/);
    expect(r.stdout).toBe('');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a missing addon is a BeamflowError that says what to install', () => {
    _setNativeAddonPath('/nonexistent/build/Release/beamcoder.node');
    try {
      let caught: unknown;
      try {
        beamcoder();
      } catch (err) {
        caught = err;
      }
      expect(BeamflowError.isInstance(caught)).toBe(true);
      expect((caught as BeamflowError).code).toBe('BEAMFLOW_NATIVE_MISSING');
      expect((caught as Error).message).toContain('apt-get install libavcodec-dev');
    } finally {
      _setNativeAddonPath(undefined);
    }
    expect(typeof beamcoder().avVersionInfo()).toBe('string');
  });
});
