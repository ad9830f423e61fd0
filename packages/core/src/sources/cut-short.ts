import type { Readable } from 'node:stream';
import { AbortError } from '../errors.js';

/**
 * The error a source destroyed before its 'end' reports, even when destroyed
 * without one. Node's pipeline() treats a Readable that has pushed its end
 * but not yet emitted 'end' as finished when it closes: the next stage would
 * then never be ended and the pipeline would hang. An AbortError makes the
 * cut visible, so every stage is torn down (and a Muxer finalizes its file).
 * @internal
 */
export function sourceCutShort(stream: Readable): Error | null {
  return stream.readableEnded ? null : new AbortError('the source was destroyed before its end');
}
