/**
 * The coordinator's and the workers' checks without Redis: segments cut at
 * keyframes, job data validated field by field (ConfigError with `field`),
 * paths confined to the storage (`..`, absolute paths, symbolic links out),
 * Redis URLs with a password and TLS (never printed), and failure reasons
 * carried across Redis with their codes.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@beamflow/core';
import { ClusterJobError } from '@beamflow/cluster';
import { cutSegments, type KeyframeIndex } from '../../src/segments.js';
import { checkStitchData, checkVideoSegmentData, checkVideoSettings, checkLadder } from '../../src/job-data.js';
import { relativeInStorage, resolveInStorage, storageRoot } from '../../src/storage.js';
import { openConnection, redactUrl, redisOptionsFromUrl } from '../../src/connection.js';
import { formatReason, parseReason } from '../../src/errors.js';
import { tempDir } from '../../../../test/support/media.js';

/** 25 fps in 1/12800 (512 ticks a frame), a keyframe every `gop` frames. */
function index(frames: number, gop: number): KeyframeIndex {
  const all = Array.from({ length: frames }, (_, i) => BigInt(i * 512));
  return { timeBase: { num: 1, den: 12800 }, frames: all, keyframes: all.filter((_, i) => i % gop === 0), frameRate: 25, hasAudio: true, width: 160, height: 90 };
}

function configField(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.field;
    throw err;
  }
  return undefined;
}

describe('cutSegments', () => {
  it('cuts at the first keyframe at least segmentSeconds on, exact [start, end) in seconds, the last to the end', () => {
    const segs = cutSegments(index(175, 25), 2);
    expect(segs.map((s) => [s.start, s.end, s.frames, s.firstPts, s.duration])).toEqual([
      [0, 2, 50, '0', 2], [2, 4, 50, '25600', 2], [4, 6, 50, '51200', 2], [6, null, 25, '76800', 1],
    ]);
  });

  it('takes longer segments where keyframes are sparse, and one segment for one keyframe', () => {
    expect(cutSegments(index(175, 75), 2).map((s) => s.frames)).toEqual([75, 75, 25]);
    expect(cutSegments(index(100, 1000), 2).map((s) => [s.start, s.end, s.frames])).toEqual([[0, null, 100]]);
  });

  it('refuses a length that is not a positive number', () => {
    expect(configField(() => cutSegments(index(10, 5), 0))).toBe('segmentSeconds');
  });
});

describe('job data', () => {
  const seg = { v: 1, flow: `tx-${'a'.repeat(32)}`, input: 'in/a.mp4', work: `.beamflow/tx-${'a'.repeat(32)}`, timeBase: [1, 12800], rung: 0, container: 'mp4', shift: 0, video: { crf: 23 },
    segment: { index: 1, start: 2, end: 4, frames: 50, firstPts: '25600', duration: 2 } };

  it('takes good data as it is', () => {
    expect(checkVideoSegmentData(seg)).toEqual(seg);
  });

  it('names the field of bad data', () => {
    expect(configField(() => checkVideoSegmentData({ ...seg, v: 2 }))).toBe('data.v');
    expect(configField(() => checkVideoSegmentData({ ...seg, video: { crf: 99 } }))).toBe('data.video.crf');
    expect(configField(() => checkVideoSegmentData({ ...seg, video: { options: { stats: '/etc/x' } } }))).toBe('data.video.options');
    expect(configField(() => checkVideoSegmentData({ ...seg, work: '.beamflow/../../etc' }))).toBe('data.work');
    expect(configField(() => checkVideoSegmentData({ ...seg, segment: { ...seg.segment, end: 1 } }))).toBe('data.segment.end');
    expect(configField(() => checkVideoSegmentData({ ...seg, extra: 1 }))).toBe('data.extra');
    expect(configField(() => checkStitchData({ ...seg }))).toBe('data.rung');
  });

  it('keeps settings to the whitelist', () => {
    expect(checkVideoSettings({ preset: 'slow', crf: 20, width: 640, height: 360 })).toEqual({ preset: 'slow', crf: 20, width: 640, height: 360 });
    expect(configField(() => checkVideoSettings({ preset: 'placebo2' }))).toBe('video.preset');
    expect(configField(() => checkVideoSettings({ width: 641 }))).toBe('video.width');
    expect(checkVideoSettings({ mbtree: false })).toEqual({ mbtree: false });
    expect(configField(() => checkVideoSettings({ mbtree: 'no' }))).toBe('video.mbtree');
    expect(checkLadder([{ height: 720 }, { height: 360, name: 'low' }]).map((r) => r.name)).toEqual(['720p', 'low']);
    expect(configField(() => checkLadder([{ height: 360, name: '../x' }]))).toBe('ladder[0].name');
  });
});

describe('storage confinement', () => {
  const dir = tempDir('cluster-storage-unit');
  const root = join(dir, 'storage');
  mkdirSync(join(root, 'in'), { recursive: true });
  writeFileSync(join(root, 'in', 'a.mp4'), '');
  writeFileSync(join(dir, 'secret'), '');
  symlinkSync(join(dir, 'secret'), join(root, 'in', 'link.mp4'));
  const real = storageRoot(root);

  it('turns paths inside into relative ones, and refuses the rest', () => {
    expect(relativeInStorage(real, join(root, 'in', 'a.mp4'), 'input')).toBe('in/a.mp4');
    expect(relativeInStorage(real, 'in/a.mp4', 'input')).toBe('in/a.mp4');
    expect(configField(() => relativeInStorage(real, join(dir, 'secret'), 'input'))).toBe('input');
    expect(configField(() => relativeInStorage(real, '../secret', 'input'))).toBe('input');
  });

  it('resolves job data paths only inside, symbolic links followed', () => {
    expect(resolveInStorage(real, 'in/a.mp4', 'data.input')).toBe(join(real, 'in', 'a.mp4'));
    expect(resolveInStorage(real, 'out/new/x.mp4', 'data.output')).toBe(join(real, 'out', 'new', 'x.mp4'));
    for (const bad of ['../secret', '/etc/passwd', 'in/../../secret', 'in/link.mp4', 'a\0b', '']) {
      expect(configField(() => resolveInStorage(real, bad, 'data.input')), bad).toBe('data.input');
    }
  });

  it('refuses a storage root that does not exist', () => {
    expect(configField(() => storageRoot(join(dir, 'nope')))).toBe('storage');
  });
});

describe('Redis URLs', () => {
  it('takes a password, a user, a database and TLS', () => {
    expect(redisOptionsFromUrl('redis://:s3cr%40t@db.example:6380/2')).toEqual({ host: 'db.example', port: 6380, password: 's3cr@t', db: 2 });
    const tls = redisOptionsFromUrl('rediss://worker:pw@db.example');
    expect(tls).toMatchObject({ host: 'db.example', port: 6379, username: 'worker', password: 'pw', tls: { servername: 'db.example' } });
  });

  it('applies TLS details to ioredis options, and refuses them beside an instance', () => {
    const c = openConnection({ host: 'db.example', port: 1, lazyConnect: true }, 'connection', { insecure: true });
    expect(c.redis.options.tls).toEqual({ servername: 'db.example', rejectUnauthorized: false });
    expect(configField(() => openConnection(c.redis, 'connection', { insecure: true }))).toBe('connection.tls');
    c.redis.disconnect();
  });

  it('names a CA file it cannot read', () => {
    expect(configField(() => redisOptionsFromUrl('rediss://db.example', 'redis', { ca: join(tempDir('cluster-ca-unit'), 'missing.pem') }))).toBe('redis.tls.ca');
  });

  it('refuses other schemes and never shows the password', () => {
    expect(configField(() => redisOptionsFromUrl('http://x'))).toBe('redis');
    expect(redactUrl('redis://:hunter2@h:1')).toBe('redis://:***@h:1');
    expect(redactUrl('rediss://u:hunter2@h')).toBe('rediss://u:***@h');
    let message = '';
    try {
      redisOptionsFromUrl('redis://:hunter2@h/notadb');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).not.toContain('hunter2');
  });
});

describe('failures across Redis', () => {
  it('keep their beamflow code', () => {
    const reason = formatReason(new ConfigError('data.input', 'must be relative'));
    expect(reason).toBe('BEAMFLOW_CONFIG: data.input: must be relative');
    expect(parseReason(reason)).toEqual({ code: 'BEAMFLOW_CONFIG', message: 'data.input: must be relative' });
    expect(parseReason('boom')).toEqual({ code: 'BEAMFLOW_ERROR', message: 'boom' });
    const err = new ClusterJobError('tx-1', { id: 'tx-1-r0-s2', name: 'video-segment', segment: 2, rung: 0, attempts: 3 }, 'BEAMFLOW_INPUT: in/x.mp4: does not exist');
    expect(err.code).toBe('BEAMFLOW_INPUT');
    expect(err.message).toBe('transcode tx-1: segment 2 failed after 3 attempts: in/x.mp4: does not exist');
  });
});
