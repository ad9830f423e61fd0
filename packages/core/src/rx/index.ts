/**
 * The Node-stream ↔ RxJS bridge (`@beamflow/core/rx`).
 *
 * Node streams pull (a Readable is read when its consumer has room); an
 * Observable pushes and cannot be paused. The bridge keeps Node's
 * backpressure across RxJS wherever the chain allows it, and where it cannot
 * it buffers a bounded number of items under a stated policy.
 *
 * - `fromReadable(stream)`: an Observable of a Readable's items. It reads
 *   one item at a time with the stream's async iterator, so the stream is
 *   read no faster than synchronous `next` handlers return. Unsubscribing
 *   destroys the stream; the stream's error is the Observable's error.
 * - `toReadable(observable, { bound, overflow })`: a Readable of an
 *   Observable's items. While it subscribes, it offers a *demand gate*: an
 *   Observable made by `fromReadable` that is subscribed within that call —
 *   directly, or through operators that subscribe synchronously (map, filter,
 *   tap, scan, the beamflow operators...) — waits on the gate before reading
 *   its next item, so a slow consumer stops the Readable at the head of the
 *   chain: end-to-end backpressure, nothing piles up.
 *   A source that cannot wait (a Subject, `interval`, events, a chain that
 *   subscribes later: `delay`, `subscribeOn`, inner Observables of
 *   `mergeMap`) is hot: what the consumer has not taken is buffered, up to
 *   `bound` items (default 64), and past it the `overflow` policy applies —
 *   `'error'` (default) fails the stream with an {@link OverflowError}
 *   (`BEAMFLOW_OVERFLOW`), `'dropOldest'` discards the oldest buffered item
 *   and counts it in `dropped` (what a live source wants: stay current).
 * - `throughStage(make)`: a Node Duplex stage as an operator, built on both:
 *   backpressure flows from the stage's consumer, through the stage, to the
 *   source.
 */
import { Readable, type Duplex } from 'node:stream';
import { Observable, type Subscription } from 'rxjs';
import { OverflowError } from '../errors.js';

/** What a gated source waits on before it reads its next item. */
interface DemandGate {
  /** Resolves when the consumer has room for another item. */
  ready(): Promise<void>;
}

/**
 * The gate of the `toReadable` whose subscribe call is on the stack. A
 * subscription chain made only of synchronous subscribes runs entirely inside
 * that call, so a `fromReadable` at its head finds the gate of the Readable at
 * its tail; anything subscribed later sees none and is treated as hot.
 */
let activeGate: DemandGate | undefined;

/** An Observable of a Readable's items; completes at its end, errors with its error. */
export function fromReadable<T>(stream: Readable): Observable<T> {
  return new Observable<T>((sub) => {
    const gate = activeGate;
    let stopped = false;
    (async () => {
      try {
        const it = stream[Symbol.asyncIterator]();
        for (;;) {
          if (gate) await gate.ready();
          if (stopped) return;
          const r = await it.next();
          if (stopped) return;
          if (r.done) break;
          sub.next(r.value as T);
        }
        sub.complete();
      } catch (err) {
        if (!stopped) sub.error(err);
      }
    })();
    return () => {
      stopped = true;
      if (!stream.destroyed) stream.destroy();
    };
  });
}

/** Options of {@link toReadable}. */
export interface ToReadableOptions {
  /** Items buffered for a hot source while the consumer is not reading (default 64). */
  bound?: number;
  /** What happens past the bound: `'error'` (default) or `'dropOldest'`. */
  overflow?: 'error' | 'dropOldest';
}

/** A Readable of an Observable's items, with end-to-end backpressure where the chain allows it and a bounded buffer where it does not. */
export function toReadable<T>(source: Observable<T>, opts: ToReadableOptions = {}): Readable & { dropped: number } {
  const bound = opts.bound ?? 64;
  const overflow = opts.overflow ?? 'error';
  if (!Number.isInteger(bound) || bound < 1) throw new RangeError(`toReadable: bound must be a positive integer, got ${String(bound)}`);
  const queue: T[] = [];
  let sub: Subscription | undefined;
  let wanting = false;
  let done = false;
  let waiters: Array<() => void> = [];
  const gate: DemandGate = {
    ready: () => (wanting && queue.length === 0) || out.destroyed ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
  };
  const wake = (): void => {
    if (!(wanting && queue.length === 0) && !out.destroyed) return;
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  };
  const out = new Readable({
    objectMode: true,
    highWaterMark: 1,
    read() {
      wanting = true;
      drain();
      if (!sub && !done) {
        const outer = activeGate;
        activeGate = gate;
        try {
          sub = source.subscribe({
            next: (v) => {
              queue.push(v);
              if (queue.length > bound) {
                if (overflow === 'dropOldest') {
                  queue.shift();
                  out.dropped++;
                } else {
                  out.destroy(new OverflowError(bound, `toReadable: more than ${bound} items buffered while the consumer was not reading (a source that cannot be paused; use overflow: 'dropOldest' for a live source)`));
                  sub?.unsubscribe();
                  return;
                }
              }
              drain();
            },
            error: (err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))),
            complete: () => {
              done = true;
              drain();
            },
          });
        } finally {
          activeGate = outer;
        }
      }
      wake();
    },
    destroy(err, cb) {
      sub?.unsubscribe();
      wake();
      cb(err);
    },
  }) as Readable & { dropped: number };
  out.dropped = 0;
  function drain(): void {
    while (wanting && queue.length) wanting = out.push(queue.shift());
    if (done && queue.length === 0) out.push(null);
  }
  return out;
}

/**
 * Turn a Node stream stage into an RxJS operator: items of the source
 * Observable are written into the stage, and what the stage outputs is
 * emitted. The stage's input side pulls (a `fromReadable` source waits for
 * it; a hot one is buffered up to `bound`), and its output is read only as
 * fast as the next stage downstream takes it. Errors on either side tear
 * down both; unsubscribing destroys the stage.
 */
export function throughStage<I, O>(make: () => Duplex, opts: ToReadableOptions = {}): (source: Observable<I>) => Observable<O> {
  return (source) =>
    new Observable<O>((sub) => {
      const stage = make();
      const input = toReadable(source, { bound: opts.bound ?? 256, ...opts });
      input.on('error', (err) => stage.destroy(err));
      input.pipe(stage);
      const inner = fromReadable<O>(stage).subscribe(sub);
      return () => {
        inner.unsubscribe();
        input.destroy();
        if (!stage.destroyed) stage.destroy();
      };
    });
}
