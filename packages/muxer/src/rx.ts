/**
 * `rescale()` and `mux()`: the Rescaler and the Muxer as RxJS operators
 * (`@beamflow/muxer/rx`). `mux()` without an output emits the container's
 * bytes as Buffers; with an output it completes once the trailer is written.
 */
import type { Envelope } from '@beamflow/core';
import { throughStage } from '@beamflow/core/rx';
import type { OperatorFunction } from 'rxjs';
import { Muxer, type MuxerOptions } from './muxer.js';
import { Rescaler, type RescalerOptions } from './rescaler.js';

export function rescale(options: RescalerOptions = {}): OperatorFunction<Envelope, Envelope> {
  return throughStage<Envelope, Envelope>(() => new Rescaler(options));
}

export function mux(options: MuxerOptions): OperatorFunction<Envelope, Buffer> {
  new Muxer(options).destroy();
  return throughStage<Envelope, Buffer>(() => new Muxer(options));
}
