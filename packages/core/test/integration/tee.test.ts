import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { tee, testPattern, type Envelope } from '@beamflow/core';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const source = (frames = 40) => testPattern({ video: { width: 64, height: 36, frameRate: 25 }, frames });

function sink(delayMs = 0, onItem?: (e: Envelope) => void, failAt?: number): Writable & { items: Envelope[] } {
  const items: Envelope[] = [];
  const w = new Writable({
    objectMode: true,
    highWaterMark: 1,
    write(e: Envelope, _enc, cb) {
      items.push(e);
      onItem?.(e);
      if (failAt !== undefined && items.length === failAt) return cb(new Error(`sink failed at ${failAt}`));
      if (delayMs) setTimeout(cb, delayMs);
      else cb();
    },
  }) as Writable & { items: Envelope[] };
  w.items = items;
  return w;
}

describe('tee', () => {
  it('every branch gets every item, in order, with its own frame object', async () => {
    const [a, b, c] = tee(source(), 3);
    const sa = sink();
    const sb = sink();
    const sc = sink();
    await Promise.all([pipeline(a!, sa), pipeline(b!, sb), pipeline(c!, sc)]);
    for (const s of [sa, sb, sc]) {
      expect(s.items.filter((e) => e.type === 'stream')).toHaveLength(1);
      expect(s.items.filter((e) => e.type === 'frame').map((e) => (e.type === 'frame' ? e.frame.pts : -1))).toEqual([...Array(40).keys()]);
    }
    const fa = sa.items.find((e) => e.type === 'frame');
    const fb = sb.items.find((e) => e.type === 'frame');
    expect(fa && fb && fa.type === 'frame' && fb.type === 'frame' && fa.frame !== fb.frame).toBe(true);
    if (fa?.type === 'frame' && fb?.type === 'frame') {
      // Separate timestamps, shared pixels.
      fa.frame.pts = 1234;
      expect(fb.frame.pts).toBe(0);
      expect(Buffer.compare(fa.frame.data[0]!, fb.frame.data[0]!)).toBe(0);
    }
  });

  it('by default the slowest branch sets the pace: the fast branch is never far ahead of the slow one', async () => {
    const [fast, slow] = tee(source(30), [{ highWaterMark: 2 }, { highWaterMark: 2 }]);
    let slowCount = 0;
    let maxLead = 0;
    const sf = sink(0, () => {
      maxLead = Math.max(maxLead, sf.items.length - slowCount);
    });
    const ss = sink(10, () => slowCount++);
    await Promise.all([pipeline(fast!, sf), pipeline(slow!, ss)]);
    expect(ss.items).toHaveLength(31);
    expect(maxLead).toBeLessThanOrEqual(6);
  });

  it("a live branch with overflow 'drop' skips frames instead of holding the others back", async () => {
    const branches = tee(source(60), [{}, { overflow: 'drop', highWaterMark: 1 }]);
    const sFast = sink();
    const sLive = sink(15);
    await Promise.all([pipeline(branches[0]!, sFast), pipeline(branches[1]!, sLive)]);
    expect(sFast.items.filter((e) => e.type === 'frame')).toHaveLength(60);
    const liveFrames = sLive.items.filter((e) => e.type === 'frame').length;
    expect(liveFrames).toBeLessThan(60);
    expect(liveFrames + branches.dropped[1]!).toBe(60);
    expect(sLive.items[0]!.type).toBe('stream');
  });

  it('an error in one branch reaches the source and every other branch', async () => {
    const src = source(200);
    const [a, b] = tee(src, 2);
    const failing = pipeline(a!, sink(0, undefined, 5));
    const other = pipeline(b!, sink(1));
    await expect(failing).rejects.toThrow('sink failed at 5');
    await expect(other).rejects.toThrow('sink failed at 5');
    expect(src.destroyed).toBe(true);
  });

  it('a source error reaches every branch; a branch closed early aborts the others', async () => {
    const broken = new Readable({ objectMode: true, read() { this.destroy(new Error('source broke')); } });
    const [a, b] = tee(broken, 2);
    const pa = pipeline(a!, sink());
    const pb = pipeline(b!, sink());
    await expect(pa).rejects.toThrow('source broke');
    await expect(pb).rejects.toThrow('source broke');

    const [c, d] = tee(source(500), 2);
    const other = pipeline(d!, sink(1));
    c!.destroy();
    await expect(other).rejects.toMatchObject({ code: 'BEAMFLOW_ABORTED' });
  });

  it('rejects zero branches and bad options with ConfigError', () => {
    expect(() => tee(source(1), [])).toThrow(expect.objectContaining({ code: 'BEAMFLOW_CONFIG', field: 'branches' }));
    expect(() => tee(source(1), [{ highWaterMark: 0 }])).toThrow(expect.objectContaining({ code: 'BEAMFLOW_CONFIG', field: 'branches[0].highWaterMark' }));
  });
});
