/**
 * `encode(config)`: the Encoder as an RxJS operator (`@beamflow/encoder/rx`).
 * `frames$.pipe(encode(config))` emits the same descriptors and packets the
 * stage pushes for the same input. A source made with `fromReadable` (through
 * synchronous operators) is read only as fast as the encoder takes frames;
 * a hot source is buffered up to `bound` (see `@beamflow/core/rx`).
 */
import type { Envelope } from '@beamflow/core';
import { throughStage, type ToReadableOptions } from '@beamflow/core/rx';
import type { OperatorFunction } from 'rxjs';
import { Encoder } from './encoder.js';
import type { EncoderConfig } from './encoder-config.js';

/**
 * The Encoder as an operator.
 *
 * @example
 * ```ts
 * const packets$ = fromReadable<Envelope>(testPattern({ video: { width: 1280, height: 720 }, frames: 250 }))
 *   .pipe(encode({ video: { codec: 'h264', preset: 'veryfast' } }));
 * ```
 */
export function encode(config: EncoderConfig, opts: ToReadableOptions = {}): OperatorFunction<Envelope, Envelope> {
  // Validate now, so a bad config fails where the pipe is built, as the stage's constructor does.
  new Encoder(config).destroy();
  return throughStage<Envelope, Envelope>(() => new Encoder(config), opts);
}
