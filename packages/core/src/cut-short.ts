import type { Readable } from 'node:stream';
import { AbortError } from './errors.js';

/**
 * The error a source or a stage destroyed between pushing its end and
 * emitting 'end' reports, even when destroyed without one. Node's pipeline()
 * treats a Readable in that window as finished when it closes, so the next
 * stage would never be ended and the pipeline would hang (a stage whose
 * consumer is paused, waiting on a native write, stays in that window until
 * the consumer reads again); an AbortError makes the cut visible, every stage
 * is torn down and a Muxer finalizes its file. Outside that window Node
 * already reports a premature close (or nobody is listening: a stream
 * discarded unread stays quiet).
 * @internal
 */
export function cutShort(stream: Readable): Error | null {
  // `ended` (end pushed) has no public accessor; `readableEnded` is 'end' emitted.
  const ended = (stream as unknown as { _readableState?: { ended?: boolean } })._readableState?.ended === true;
  if (!ended || stream.readableEnded || stream.listenerCount('error') === 0) return null;
  return new AbortError(`${stream.constructor.name} was destroyed after its end was queued but before it was read`);
}
