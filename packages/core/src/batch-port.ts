/**
 * A {@link CodecPort} over beamcoder's batch calls. beamcoder 0.7.1 hides
 * FFmpeg's send/receive inside one native call (`encode(frame)` sends, then
 * receives until EAGAIN, and resolves with every packet). This port restores
 * the send/receive shape: a send is refused with 'again' while outputs of the
 * previous call are still unread, so the pump delivers them (under
 * backpressure) before the codec gets more input, exactly as a real EAGAIN
 * would make it.
 */
import type { CodecPort } from './codec-pump.js';

export class BatchPort<In, Out> implements CodecPort<In, Out> {
  #queue: Out[] = [];
  #head = 0;
  #ended = false;

  constructor(
    private readonly process: (input: In) => Promise<readonly Out[]>,
    private readonly flush: () => Promise<readonly Out[]>,
  ) {}

  async send(input: In | null): Promise<'ok' | 'again'> {
    if (this.#head < this.#queue.length) return 'again';
    const outs = input === null ? await this.flush() : await this.process(input);
    if (input === null) this.#ended = true;
    this.#queue = outs.slice();
    this.#head = 0;
    return 'ok';
  }

  async receive(): Promise<Out | 'again' | 'eof'> {
    if (this.#head < this.#queue.length) {
      const out = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as Out; // let it be collected
      return out;
    }
    return this.#ended ? 'eof' : 'again';
  }
}
