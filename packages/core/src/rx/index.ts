/**
 * The Node-stream ↔ RxJS bridge (`@beamflow/core/rx`).
 *
 * - `fromReadable(stream)`: an Observable of a Readable's items. It reads
 *   with the stream's async iterator, so the stream is only read as fast as
 *   `next` handlers return: backpressure holds for synchronous subscribers.
 *   Unsubscribing destroys the stream.
 * - `toReadable(observable, { bound, overflow })`: a Readable of an
 *   Observable's items. An Observable cannot be paused, so what the consumer
 *   has not taken yet is buffered, up to `bound` items (default 64); past it
 *   the `overflow` policy applies: `'error'` (default) fails the stream with
 *   a BeamflowError 'BEAMFLOW_ERROR', `'dropOldest'` discards the oldest
 *   buffered item (what a live source wants: stay current).
 */
import { Readable, type Duplex } from 'node:stream';
import { Observable, type Subscription } from 'rxjs';
import { BeamflowError } from '../errors.js';

/** An Observable of a Readable's items; completes at its end, errors with its error. */
export function fromReadable<T>(stream: Readable): Observable<T> {
  return new Observable<T>((sub) => {
    let stopped = false;
    (async () => {
      try {
        for await (const item of stream) {
          if (stopped) return;
          sub.next(item as T);
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
  /** Items buffered while the consumer is not reading (default 64). */
  bound?: number;
  /** What happens past the bound. */
  overflow?: 'error' | 'dropOldest';
}

/** A Readable of an Observable's items, with a bounded buffer for hot sources. */
export function toReadable<T>(source: Observable<T>, opts: ToReadableOptions = {}): Readable & { dropped: number } {
  const bound = opts.bound ?? 64;
  const overflow = opts.overflow ?? 'error';
  const queue: T[] = [];
  let sub: Subscription | undefined;
  let wanting = false;
  let done = false;
  const out = new Readable({
    objectMode: true,
    highWaterMark: 1,
    read() {
      wanting = true;
      drain();
      if (!sub && !done) {
        sub = source.subscribe({
          next: (v) => {
            queue.push(v);
            if (queue.length > bound) {
              if (overflow === 'dropOldest') {
                queue.shift();
                out.dropped++;
              } else {
                out.destroy(new BeamflowError('BEAMFLOW_ERROR', `toReadable: more than ${bound} items buffered while the consumer was not reading (use overflow: 'dropOldest' for a live source)`));
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
      }
    },
    destroy(err, cb) {
      sub?.unsubscribe();
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
 * Observable are written into the stage (buffered up to `bound` while it is
 * busy), and what the stage outputs is emitted. Errors on either side tear
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
