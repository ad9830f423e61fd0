/**
 * `rescale()` and `mux()`: the Rescaler and the Muxer as RxJS operators
 * (`@beamflow/muxer/rx`). `mux()` without an output emits the container's
 * bytes as Buffers; with an output (file, HLS, URL) it emits nothing and
 * completes once the trailer is written.
 */
import { finished } from 'node:stream/promises';
import type { Envelope } from '@beamflow/core';
import { throughStage, toReadable } from '@beamflow/core/rx';
import { Observable, type OperatorFunction } from 'rxjs';
import { Muxer, type MuxerOptions } from './muxer.js';
import { Rescaler, type RescalerOptions } from './rescaler.js';

export function rescale(options: RescalerOptions = {}): OperatorFunction<Envelope, Envelope> {
  return throughStage<Envelope, Envelope>(() => new Rescaler(options));
}

export function mux(options: MuxerOptions): OperatorFunction<Envelope, Buffer> {
  new Muxer(options).destroy();
  if (options.output === undefined) return throughStage<Envelope, Buffer>(() => new Muxer(options));
  // The Muxer is the sink: nothing comes out of it, so completion is its 'finish'.
  return (source) =>
    new Observable<Buffer>((sub) => {
      const muxer = new Muxer(options);
      const input = toReadable(source, { bound: 256 });
      input.on('error', (err) => muxer.destroy(err));
      input.pipe(muxer);
      finished(muxer, { readable: false }).then(() => sub.complete(), (err: unknown) => sub.error(err));
      return () => {
        input.destroy();
        if (!muxer.writableFinished && !muxer.destroyed) muxer.destroy();
      };
    });
}
