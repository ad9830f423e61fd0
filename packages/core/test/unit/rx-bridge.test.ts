import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Subject, asyncScheduler, filter, firstValueFrom, lastValueFrom, map, subscribeOn, take, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { BeamflowError, OverflowError } from '@beamflow/core';
import { fromReadable, throughStage, toReadable } from '@beamflow/core/rx';

/** A Readable of 0..n-1 that records how many items it has produced. */
function counting(n: number): Readable & { produced: number } {
  let i = 0;
  const r = new Readable({
    objectMode: true,
    highWaterMark: 1,
    read() {
      if (i < n) {
        r.produced++;
        this.push(i++);
      } else this.push(null);
    },
  }) as Readable & { produced: number };
  r.produced = 0;
  return r;
}

/**
 * A sink that takes one item per macrotask turn and records, at each, how far
 * the source ran ahead of it (items produced past the one just taken, whose
 * source index `indexOf` recovers).
 */
function slowSink(src: { produced: number }, seen: number[], lead: number[], indexOf: (v: number) => number): Writable {
  return new Writable({
    objectMode: true,
    highWaterMark: 1,
    write(v: number, _enc, cb) {
      seen.push(v);
      lead.push(src.produced - (indexOf(v) + 1));
      setImmediate(cb);
    },
  });
}

const tick = () => new Promise((r) => setImmediate(r));

describe('fromReadable', () => {
  it('emits every item, in order, and completes', async () => {
    expect(await lastValueFrom(fromReadable<number>(counting(50)).pipe(toArray()))).toEqual([...Array(50).keys()]);
  });

  it('unsubscribing destroys the stream and stops reading it', async () => {
    const src = counting(1000);
    expect(await firstValueFrom(fromReadable<number>(src).pipe(take(3), toArray()))).toEqual([0, 1, 2]);
    await tick();
    expect(src.destroyed).toBe(true);
    expect(src.produced).toBeLessThan(10);
  });

  it("the stream's error is the Observable's error", async () => {
    const boom = new Error('disk gone');
    const src = new Readable({ objectMode: true, read() { this.destroy(boom); } });
    await expect(lastValueFrom(fromReadable(src))).rejects.toBe(boom);
  });
});

describe('toReadable: backpressure through RxJS', () => {
  it('a Readable source behind synchronous operators is read only as fast as the Node consumer takes items', async () => {
    const src = counting(300);
    const seen: number[] = [];
    const lead: number[] = [];
    const piped = toReadable(fromReadable<number>(src).pipe(map((x) => x * 2), filter((x) => x % 3 !== 1)), { bound: 4 });
    await pipeline(piped, slowSink(src, seen, lead, (v) => v / 2));
    expect(seen).toEqual([...Array(300).keys()].map((x) => x * 2).filter((x) => x % 3 !== 1));
    // bound 4 with 'error' would have failed had anything piled up: the source stays a few items ahead.
    expect(Math.max(...lead)).toBeLessThanOrEqual(6);
    expect(piped.dropped).toBe(0);
  });

  it('throughStage keeps the pull from the consumer, through the stage, to the source', async () => {
    const src = counting(200);
    const seen: number[] = [];
    const lead: number[] = [];
    const double = () => new Transform({ objectMode: true, highWaterMark: 1, transform(v: number, _e, cb) { cb(null, v * 2); } });
    const out = toReadable(fromReadable<number>(src).pipe(throughStage<number, number>(double, { bound: 4 })), { bound: 4 });
    await pipeline(out, slowSink(src, seen, lead, (v) => v / 2));
    expect(seen).toEqual([...Array(200).keys()].map((x) => x * 2));
    expect(Math.max(...lead)).toBeLessThanOrEqual(12);
  });
});

describe('toReadable: hot sources', () => {
  it("past the bound, 'error' fails the stream with BEAMFLOW_OVERFLOW", async () => {
    const hot = new Subject<number>();
    const r = toReadable(hot, { bound: 3 });
    const errored = new Promise<unknown>((resolve) => r.on('error', resolve));
    r.pause();
    r.read(0); // subscribe without consuming
    for (let i = 0; i < 10; i++) hot.next(i);
    const err = await errored;
    expect(err).toBeInstanceOf(OverflowError);
    expect(BeamflowError.isInstance(err) && err.code).toBe('BEAMFLOW_OVERFLOW');
    expect((err as OverflowError).bound).toBe(3);
    expect(hot.observed).toBe(false);
  });

  it("'dropOldest' keeps the newest items and counts what it dropped", async () => {
    const hot = new Subject<number>();
    const r = toReadable(hot, { bound: 3, overflow: 'dropOldest' });
    r.pause();
    r.read(0);
    for (let i = 0; i < 10; i++) hot.next(i);
    hot.complete();
    const got: number[] = [];
    for await (const v of r) got.push(v as number);
    // 1 item went to the Readable's own buffer (highWaterMark 1) before the consumer paused; the bound holds the newest 3.
    expect(got.slice(-3)).toEqual([7, 8, 9]);
    expect(r.dropped).toBe(10 - got.length);
    expect(r.dropped).toBeGreaterThan(0);
  });

  it('a chain that subscribes later (subscribeOn) gets no gate: it is buffered under the bound like a hot source', async () => {
    const src = counting(100);
    const r = toReadable(fromReadable<number>(src).pipe(subscribeOn(asyncScheduler)), { bound: 5 });
    const onError = vi.fn();
    r.on('error', onError);
    const errored = new Promise((resolve) => r.once('error', resolve));
    r.pause();
    r.read(0);
    // subscribeOn starts the source on a timer: wait for the overflow itself, bounded.
    await Promise.race([errored, new Promise((resolve) => setTimeout(resolve, 5000))]);
    expect(onError).toHaveBeenCalledTimes(1);
    expect((onError.mock.calls[0]![0] as BeamflowError).code).toBe('BEAMFLOW_OVERFLOW');
  });

  it('an Observable error destroys the Readable with that error; destroying the Readable unsubscribes', async () => {
    const hot = new Subject<number>();
    const r = toReadable(hot);
    const errored = new Promise<unknown>((resolve) => r.on('error', resolve));
    r.resume();
    await tick();
    const boom = new Error('camera unplugged');
    hot.error(boom);
    expect(await errored).toBe(boom);

    const hot2 = new Subject<number>();
    const r2 = toReadable(hot2);
    r2.resume();
    await tick();
    expect(hot2.observed).toBe(true);
    r2.destroy();
    expect(hot2.observed).toBe(false);
  });

  it('rejects a bound that is not a positive integer', () => {
    expect(() => toReadable(new Subject(), { bound: 0 })).toThrow(RangeError);
  });
});
