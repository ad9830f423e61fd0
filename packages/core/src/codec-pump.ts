/**
 * The codec pump: FFmpeg's send/receive model mapped onto Node backpressure.
 *
 * FFmpeg codecs (and filter graphs, and muxers' I/O) are driven by two calls:
 * `send(input)` may answer EAGAIN ("read my output first"), `receive()` may
 * answer EAGAIN ("send me more") or EOF ("drained"). A Node stream stage has a
 * writable side (frames in) and a readable side (packets out), and its own
 * signals: a write's callback says "send me the next one", `push()` returning
 * false says "stop producing", `_read()` says "produce again".
 *
 * The pump ties the two together, so that a slow sink stops the codec, which
 * stops accepting input, which stops the source:
 *
 * - `write(input)` resolves only once the codec has accepted the input; the
 *   stage calls its write callback then, never before.
 * - While the codec answers EAGAIN to a send, the pump receives outputs and
 *   pushes them, then sends again.
 * - When `push()` returns false, the pump receives nothing more until the
 *   readable side asks again (`_read()` → {@link DemandGate.release}); the
 *   codec keeps what it has, and the pending write stays pending.
 * - `drain()` (end of input) sends the null input, receives until EOF and
 *   pushes everything, under the same backpressure.
 *
 * Memory therefore stays bounded by the writable and readable high-water
 * marks plus the codec's own delay. The pump talks to a {@link CodecPort},
 * implemented over beamcoder for real and by a scripted fake in tests, so the
 * EAGAIN paths are tested deterministically.
 *
 * {@link CodecStage} is the Duplex that stages (Encoder, decoder, filters,
 * Muxer) build on: `_write` → `handle()`, `_final` → `finish()` then end of the
 * readable side, `_read` → demand, `_destroy` → wait for the native call in
 * flight, then `release()` exactly once (and report an AbortError when
 * destroyed after the readable end was queued but before it was read, so that
 * pipeline() tears the rest down instead of waiting on the next stage).
 */
import { Duplex } from 'node:stream';
import { AbortError, FFmpegError, StateError } from './errors.js';
import { cutShort } from './cut-short.js';

/** A codec seen through FFmpeg's send/receive calls. `null` sent means "end of input: drain". */
export interface CodecPort<In, Out> {
  send(input: In | null): Promise<'ok' | 'again'>;
  receive(): Promise<Out | 'again' | 'eof'>;
}

/** Where the pump delivers outputs, and how it learns that delivery may resume. */
export interface PumpSink<Out> {
  /** Deliver one output; `false` means "stop until demand returns". */
  push(out: Out): boolean;
  /** Resolves when the consumer wants more (rejects if the stage is destroyed meanwhile). */
  waitForDemand(): Promise<void>;
}

/**
 * One-shot "the readable side wants more" signal. `arm()` when `push()`
 * returned false; `release()` from `_read()`; `wait()` resolves at once when
 * not armed, so a `_read()` that came before the wait is never missed.
 */
export class DemandGate {
  #armed = false;
  #waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  #closed: Error | undefined;

  arm(): void {
    this.#armed = true;
  }

  get armed(): boolean {
    return this.#armed;
  }

  release(): void {
    this.#armed = false;
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w.resolve();
  }

  wait(): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (!this.#armed) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Fail every waiter and all later waits (the stage is being destroyed). */
  close(reason: Error): void {
    this.#closed = reason;
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w.reject(reason);
  }
}

/** Counters the pump keeps, for stats and for tests. */
export interface PumpCounters {
  sent: number;
  received: number;
  /** EAGAIN answers to send. */
  sendAgain: number;
}

/** Drives one {@link CodecPort}. Calls must not overlap (a Duplex's `_write` never overlaps). */
export class CodecPump<In, Out> {
  readonly counters: PumpCounters = { sent: 0, received: 0, sendAgain: 0 };
  #eof = false;
  #busy = false;

  constructor(
    private readonly port: CodecPort<In, Out>,
    private readonly sink: PumpSink<Out>,
    private readonly op = 'codec',
  ) {}

  /** The codec has answered EOF: it is fully drained. */
  get eof(): boolean {
    return this.#eof;
  }

  /** Resolves once `input` was accepted, having pushed every output the codec had ready. */
  async write(input: In): Promise<void> {
    await this.#exclusive(async () => {
      await this.#sendUntilAccepted(input);
      await this.#receiveAvailable();
    });
  }

  /** End of input: send the null input, then receive and push until EOF. */
  async drain(): Promise<void> {
    await this.#exclusive(async () => {
      if (this.#eof) return;
      await this.#sendUntilAccepted(null);
      while (!this.#eof) {
        const got = await this.#receiveAvailable();
        if (!this.#eof && got === 0) {
          throw new FFmpegError(this.op, 'codec answered EAGAIN while draining (it expects input after the end of input)');
        }
      }
    });
  }

  async #exclusive(fn: () => Promise<void>): Promise<void> {
    // A second call while one is in flight would interleave sends and receives on one codec.
    if (this.#busy) throw new StateError('busy', 'busy', `${this.op} pump (calls must not overlap)`);
    this.#busy = true;
    try {
      await fn();
    } finally {
      this.#busy = false;
    }
  }

  async #sendUntilAccepted(input: In | null): Promise<void> {
    for (;;) {
      const r = await this.port.send(input);
      if (r === 'ok') {
        this.counters.sent++;
        return;
      }
      this.counters.sendAgain++;
      const got = await this.#receiveAvailable();
      // EAGAIN on both sides would spin forever; FFmpeg's API rules it out, so say so.
      if (got === 0 && !this.#eof) {
        throw new FFmpegError(this.op, 'codec answered EAGAIN to send and to receive');
      }
      if (this.#eof) throw new FFmpegError(this.op, 'codec reached end of stream and cannot take more input');
    }
  }

  /** Receive until EAGAIN or EOF, waiting for demand whenever a push was refused. Returns how many outputs it pushed. */
  async #receiveAvailable(): Promise<number> {
    let n = 0;
    for (;;) {
      await this.sink.waitForDemand();
      const out = await this.port.receive();
      if (out === 'again') return n;
      if (out === 'eof') {
        this.#eof = true;
        return n;
      }
      n++;
      this.counters.received++;
      this.sink.push(out);
    }
  }
}

/** Options of {@link CodecStage}. */
export interface CodecStageOptions {
  /** Inputs buffered on the writable side before `write()` returns false. */
  writableHighWaterMark?: number;
  /** Outputs buffered on the readable side before the codec is paused. */
  readableHighWaterMark?: number;
  /** Bytes instead of objects on the readable side (a Muxer's output). */
  readableBytes?: boolean;
  signal?: AbortSignal;
}

/**
 * Base of beamflow's native stages: an object-mode Duplex whose work is done
 * in `handle()` (one input) and `finish()` (end of input), with native calls
 * tracked so that `destroy()` waits for the call in flight before `release()`
 * frees anything, and `release()` runs exactly once.
 */
export abstract class CodecStage<In, Out> extends Duplex {
  protected readonly gate = new DemandGate();
  #inflight: Promise<unknown> | undefined;
  #released = false;

  constructor(opts: CodecStageOptions = {}) {
    super({
      writableObjectMode: true,
      readableObjectMode: !opts.readableBytes,
      writableHighWaterMark: opts.writableHighWaterMark ?? 2,
      readableHighWaterMark: opts.readableHighWaterMark ?? (opts.readableBytes ? 1 << 16 : 16),
      allowHalfOpen: true,
      signal: opts.signal,
    });
  }

  /** The sink a {@link CodecPump} of this stage pushes into. */
  protected pumpSink(): PumpSink<Out> {
    return {
      push: (out) => this.pushOut(out),
      waitForDemand: () => this.gate.wait(),
    };
  }

  /** Push one output; arms the gate when the readable buffer is full. */
  protected pushOut(out: Out): boolean {
    if (this.destroyed) return false;
    const ok = this.push(out);
    if (!ok) this.gate.arm();
    return ok;
  }

  /** Start a native call so that destroy() waits for it; refused once the stage is being destroyed. */
  protected track<T>(start: () => Promise<T>): Promise<T> {
    // Once destroy() has begun, release() may run at any moment: start nothing new.
    if (this.destroyed) return Promise.reject(new AbortError('stage destroyed'));
    const p = start();
    const tracked = p.finally(() => {
      if (this.#inflight === tracked) this.#inflight = undefined;
    });
    // The caller handles p's rejection; this copy exists only to be awaited by _destroy.
    tracked.catch(() => undefined);
    this.#inflight = tracked;
    return p;
  }

  /** Process one input. Outputs go through `pushOut` (usually via a pump). */
  protected abstract handle(input: In): Promise<void>;
  /** End of input: drain and push the rest. */
  protected abstract finish(): Promise<void>;
  /** Free native resources. Called exactly once, after any native call in flight has returned. */
  protected abstract release(): void | Promise<void>;
  /**
   * The stage's lifecycle, when it has one: destroy() moves it to `'error'`
   * (when destroyed with an error) and, once resources are released, to `'closed'`.
   */
  protected lifecycle(): { tryTo(next: 'error' | 'closed'): boolean } | undefined {
    return undefined;
  }

  override _write(chunk: In, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.handle(chunk).then(() => cb(), (err: unknown) => cb(asError(err)));
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.finish().then(
      () => {
        this.push(null);
        cb();
      },
      (err: unknown) => cb(asError(err)),
    );
  }

  override _read(): void {
    this.gate.release();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const life = this.lifecycle();
    if (err) life?.tryTo('error');
    this.gate.close(err ?? new AbortError('stage destroyed'));
    const inflight = this.#inflight ?? Promise.resolve();
    const done = (e: Error | null): void => {
      life?.tryTo('closed');
      cb(e);
    };
    inflight
      .catch(() => undefined)
      .then(() => this.#releaseOnce())
      .then(
        () => done(err ?? cutShort(this)),
        (releaseErr: unknown) => done(err ?? asError(releaseErr)),
      );
  }

  async #releaseOnce(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.release();
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
