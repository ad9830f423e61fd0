/**
 * `encode(config)`: the Encoder as an RxJS operator (`@beamflow/encoder/rx`).
 * `frames$.pipe(encode(config))` emits the same descriptors and packets the
 * stage pushes for the same input.
 */
import type { Envelope } from '@beamflow/core';
import { throughStage } from '@beamflow/core/rx';
import type { OperatorFunction } from 'rxjs';
import { Encoder } from './encoder.js';
import type { EncoderConfig } from './encoder-config.js';

export function encode(config: EncoderConfig): OperatorFunction<Envelope, Envelope> {
  // Validate now, so a bad config fails where the pipe is built, as the stage's constructor does.
  new Encoder(config).destroy();
  return throughStage<Envelope, Envelope>(() => new Encoder(config));
}
