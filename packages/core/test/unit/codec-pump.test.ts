/**
 * The codec pump against scripted fake codecs: exact EAGAIN sequences on send
 * and receive, draining to EOF, native failures at a chosen call, destroy()
 * during a pending native call, and Node backpressure end to end (a slow sink
 * stops the codec, which stops accepting input, which stops the source).
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { CodecPump, CodecStage, DemandGate } from '../../src/codec-pump.js';
import type { CodecPort, CodecStageOptions, PumpSink } from '../../src/codec-pump.js';
import { BeamflowError } from '../../src/errors.js';

// ---------------------------------------------------------------------------
// Fakes

type SendAnswer = 'ok' | 'again';
type ReceiveAnswer<Out> = Out | 'again' | 'eof' | Error;
type Scripted<T> = T | Promise<T>;

/** A codec whose every answer is written in advance; it records the calls it got in `log`. */
class ScriptedPort<In, Out> implements CodecPort<In, Out> {
  sendCalls = 0;
  receiveCalls = 0;

  constructor(
    private readonly sends: Array<Scripted<SendAnswer>>,
    private readonly receives: Array<Scripted<ReceiveAnswer<Out>>>,
    readonly log: string[] = [],
  ) {}

  async send(input: In | null): Promise<'ok' | 'again'> {
    this.sendCalls++;
    const next = this.sends.shift();
    if (next === undefined) throw new Error(`script has no answer for send(${String(input)})`);
    const answer = await next;
    this.log.push(`send ${input === null ? 'null' : String(input)}: ${answer}`);
    return answer;
  }

  async receive(): Promise<Out | 'again' | 'eof'> {
    this.receiveCalls++;
    const next = this.receives.shift();
    if (next === undefined) throw new Error('script has no answer for receive()');
    const answer = await next;
    if (answer instanceof Error) {
      this.log.push(`receive: throws ${answer.message}`);
      throw answer;
    }
    this.log.push(`receive: ${String(answer)}`);
    return answer;
  }

  /** Every scripted answer was used. */
  get exhausted(): boolean {
    return this.sends.length === 0 && this.receives.length === 0;
  }
}

/** A promise to resolve or reject from the test. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A concrete stage over a port. Every port call goes through `track()` as a
 * real stage's native calls do. It records, for the tests: write callbacks,
 * pushes and the readable buffer after each, receive calls made while the
 * last push had been refused, and release() calls.
 */
class TestStage<In, Out> extends CodecStage<In, Out> {
  readonly pump: CodecPump<In, Out>;
  readonly releaseSpy = vi.fn();
  /** Write callbacks per input (by String(input)). */
  readonly callbacks = new Map<string, number>();
  /** Largest readableLength seen right after a push. */
  maxReadableLength = 0;
  refusedPushes = 0;
  /** Receive calls started while the last push had been refused and no _read had come since. */
  receivesWhileRefused = 0;
  /** Receive calls started while the readable buffer was at or over its high-water mark. */
  receivesWhileFull = 0;
  #refused = false;

  constructor(inner: CodecPort<In, Out>, readonly log: string[] = [], opts?: CodecStageOptions) {
    super(opts);
    const port: CodecPort<In, Out> = {
      send: (input) => this.track(() => inner.send(input)),
      receive: () => {
        if (this.#refused) this.receivesWhileRefused++;
        if (this.readableLength >= this.readableHighWaterMark) this.receivesWhileFull++;
        return this.track(() => inner.receive());
      },
    };
    this.pump = new CodecPump(port, this.pumpSink(), 'test codec');
  }

  protected override handle(input: In): Promise<void> {
    return this.pump.write(input);
  }

  protected override finish(): Promise<void> {
    return this.pump.drain();
  }

  protected override release(): void {
    this.log.push('release');
    this.releaseSpy();
  }

  protected override pushOut(out: Out): boolean {
    const ok = super.pushOut(out);
    this.log.push(`push ${String(out)}${ok ? '' : ' (refused)'}`);
    this.maxReadableLength = Math.max(this.maxReadableLength, this.readableLength);
    if (!ok) {
      this.refusedPushes++;
      this.#refused = true;
    }
    return ok;
  }

  override _read(): void {
    this.#refused = false;
    super._read();
  }

  override _write(chunk: In, enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    super._write(chunk, enc, (err) => {
      const key = String(chunk);
      this.callbacks.set(key, (this.callbacks.get(key) ?? 0) + 1);
      this.log.push(`callback ${key}${err ? ' (error)' : ''}`);
      cb(err);
    });
  }
}

/** Collects everything it is given, as fast as it comes. */
function collector<T>(): { sink: Writable; items: T[] } {
  const items: T[] = [];
  const sink = new Writable({
    objectMode: true,
    write(chunk: T, _enc, cb) {
      items.push(chunk);
      cb();
    },
  });
  return { sink, items };
}

/**
 * Resolves when the stage has emitted 'close' (its _destroy, hence release, has
 * finished). A pipeline can settle before that: it waits for 'end'/'finish',
 * and autoDestroy runs after. (Not events.once: that rejects on 'error'.)
 */
async function closed(stage: Readable | Writable): Promise<void> {
  if (stage.closed) return;
  await new Promise<void>((resolve) => stage.once('close', () => resolve()));
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

// ---------------------------------------------------------------------------

describe('CodecPump through a CodecStage: EAGAIN sequences', () => {
  it('EAGAIN on send: receives and pushes outputs, re-sends the same input, calls back only after ok', async () => {
    const log: string[] = [];
    const port = new ScriptedPort<string, string>(
      ['ok', 'again', 'ok', 'ok'],
      ['again', 'p0', 'p1', 'again', 'again', 'eof'],
      log,
    );
    const stage = new TestStage(port, log);
    const { sink, items } = collector<string>();
    await pipeline(Readable.from(['f0', 'f1']), stage, sink);
    await closed(stage);

    expect(log).toEqual([
      'send f0: ok',
      'receive: again',
      'callback f0',
      'send f1: again',
      'receive: p0',
      'push p0',
      'receive: p1',
      'push p1',
      'receive: again',
      'send f1: ok', // the same input again
      'receive: again',
      'callback f1',
      'send null: ok',
      'receive: eof',
      'release',
    ]);
    expect(items).toEqual(['p0', 'p1']);
    expect(stage.pump.counters).toEqual({ sent: 3, received: 2, sendAgain: 1 });
    expect(stage.pump.eof).toBe(true);
    expect(port.exhausted).toBe(true);
    expect(stage.releaseSpy).toHaveBeenCalledTimes(1);
  });

  it('send EAGAIN several times in a row, each time after outputs were delivered', async () => {
    const log: string[] = [];
    const port = new ScriptedPort<string, string>(
      ['again', 'again', 'ok', 'ok'],
      ['p0', 'again', 'p1', 'again', 'p2', 'again', 'eof'],
      log,
    );
    const stage = new TestStage(port, log);
    const { sink, items } = collector<string>();
    await pipeline(Readable.from(['f0']), stage, sink);
    expect(log.filter((l) => l.startsWith('send') || l.startsWith('callback'))).toEqual([
      'send f0: again',
      'send f0: again',
      'send f0: ok',
      'callback f0',
      'send null: ok',
    ]);
    expect(items).toEqual(['p0', 'p1', 'p2']);
    expect(stage.pump.counters.sendAgain).toBe(2);
  });

  it('EAGAIN on receive: the write is called back and the codec gets the next input', async () => {
    const log: string[] = [];
    const port = new ScriptedPort<string, string>(
      ['ok', 'ok', 'ok', 'ok'],
      ['again', 'again', 'p0', 'again', 'p1', 'p2', 'eof'],
      log,
    );
    const stage = new TestStage(port, log);
    const { sink, items } = collector<string>();
    await pipeline(Readable.from(['f0', 'f1', 'f2']), stage, sink);
    await closed(stage);
    expect(log).toEqual([
      'send f0: ok',
      'receive: again',
      'callback f0',
      'send f1: ok',
      'receive: again',
      'callback f1',
      'send f2: ok',
      'receive: p0',
      'push p0',
      'receive: again',
      'callback f2',
      'send null: ok',
      'receive: p1',
      'push p1',
      'receive: p2',
      'push p2',
      'receive: eof',
      'release',
    ]);
    expect(items).toEqual(['p0', 'p1', 'p2']);
  });

  it('EOF ends the drain; the readable side ends after every output, in order', async () => {
    const log: string[] = [];
    const outs = Array.from({ length: 8 }, (_, i) => `p${i}`);
    const port = new ScriptedPort<string, string>(['ok', 'ok'], ['again', ...outs.slice(0, 4), 'again', ...outs.slice(4), 'eof'], log);
    const stage = new TestStage(port, log);
    const ended = vi.fn();
    stage.on('end', () => ended(stage.pump.counters.received));
    const { sink, items } = collector<string>();
    await pipeline(Readable.from(['f0']), stage, sink);
    expect(items).toEqual(outs);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(ended).toHaveBeenCalledWith(8); // 'end' only after all 8 were received
    expect(log.indexOf('receive: eof')).toBeGreaterThan(log.indexOf('push p7'));
    expect(stage.pump.eof).toBe(true);
    expect(port.exhausted).toBe(true);
  });

  it('an empty input still drains: send(null), receive until EOF', async () => {
    const log: string[] = [];
    const port = new ScriptedPort<string, string>(['ok'], ['tail', 'eof'], log);
    const stage = new TestStage(port, log);
    const { sink, items } = collector<string>();
    await pipeline(Readable.from([] as string[]), stage, sink);
    await closed(stage);
    expect(items).toEqual(['tail']);
    expect(log).toEqual(['send null: ok', 'receive: tail', 'push tail', 'receive: eof', 'release']);
  });
});

describe('CodecPump through a CodecStage: failures', () => {
  it('a failing receive destroys the stage with that error; the pipeline rejects with it; release once', async () => {
    const log: string[] = [];
    const boom = Object.assign(new Error('receive failed'), { code: 'TEST_NATIVE_FAILURE' });
    const port = new ScriptedPort<string, string>(['ok', 'ok', 'ok'], ['p0', 'again', 'p1', boom], log);
    const stage = new TestStage(port, log);
    const { sink, items } = collector<string>();
    const err = await rejection(pipeline(Readable.from(['f0', 'f1', 'f2', 'f3']), stage, sink));
    expect(err).toBe(boom);
    await closed(stage);
    expect(stage.destroyed).toBe(true);
    expect(stage.errored).toBe(boom);
    expect(stage.releaseSpy).toHaveBeenCalledTimes(1);
    expect(items).toEqual(['p0', 'p1']);
    // f1's write failed: it was never called back as a success, and f2 was never sent
    expect(log).toContain('callback f0');
    expect(log).toContain('callback f1 (error)');
    expect([...stage.callbacks.values()].every((c) => c === 1)).toBe(true);
    expect(log.some((l) => l.startsWith('send f2'))).toBe(false);
    expect(log.at(-1)).toBe('release');
  });

  it('a failing receive during the drain rejects the pipeline with that error', async () => {
    const boom = Object.assign(new Error('flush failed'), { code: 'TEST_NATIVE_FAILURE' });
    const port = new ScriptedPort<string, string>(['ok', 'ok'], ['again', 'p0', boom]);
    const stage = new TestStage(port);
    const { sink } = collector<string>();
    const err = await rejection(pipeline(Readable.from(['f0']), stage, sink));
    expect(err).toBe(boom);
    await closed(stage);
    expect(stage.releaseSpy).toHaveBeenCalledTimes(1);
  });

  it('a failing send destroys the stage with that error; release once', async () => {
    const log: string[] = [];
    const boom = new Error('send failed');
    const port = new ScriptedPort<string, string>(['ok', Promise.reject(boom)], ['again'], log);
    const stage = new TestStage(port, log);
    const { sink } = collector<string>();
    const err = await rejection(pipeline(Readable.from(['f0', 'f1']), stage, sink));
    expect(err).toBe(boom);
    await closed(stage);
    expect(stage.releaseSpy).toHaveBeenCalledTimes(1);
  });

  it('EAGAIN to send and to receive → BEAMFLOW_FFMPEG error, release once', async () => {
    const port = new ScriptedPort<string, string>(['again'], ['again']);
    const stage = new TestStage(port);
    const { sink } = collector<string>();
    const err = await rejection(pipeline(Readable.from(['f0']), stage, sink));
    expect(BeamflowError.isInstance(err)).toBe(true);
    expect(err).toMatchObject({ code: 'BEAMFLOW_FFMPEG', op: 'test codec' });
    await closed(stage);
    expect(stage.releaseSpy).toHaveBeenCalledTimes(1);
    expect(port.exhausted).toBe(true);
  });

  it('EAGAIN while draining (codec wants input after the end) → BEAMFLOW_FFMPEG', async () => {
    const port = new ScriptedPort<string, string>(['ok', 'ok'], ['again', 'p0', 'again', 'again']);
    const stage = new TestStage(port);
    const { sink } = collector<string>();
    const err = await rejection(pipeline(Readable.from(['f0']), stage, sink));
    expect(err).toMatchObject({ code: 'BEAMFLOW_FFMPEG' });
    await closed(stage);
    expect(stage.releaseSpy).toHaveBeenCalledTimes(1);
  });

  it('send EAGAIN answered by EOF (codec already ended) → BEAMFLOW_FFMPEG', async () => {
    const port = new ScriptedPort<string, string>(['again'], ['p0', 'eof']);
    const stage = new TestStage(port);
    const { sink } = collector<string>();
    const err = await rejection(pipeline(Readable.from(['f0']), stage, sink));
    expect(err).toMatchObject({ code: 'BEAMFLOW_FFMPEG' });
    await closed(stage);
    expect(stage.releaseSpy).toHaveBeenCalledTimes(1);
  });
});

describe('CodecStage: destroy() during a pending native call', () => {
  it('waits for a pending send to resolve before release(), then releases exactly once', async () => {
    const log: string[] = [];
    const pending = deferred<SendAnswer>();
    const port = new ScriptedPort<string, string>([pending.promise], [], log);
    const stage = new TestStage(port, log);
    const onClose = vi.fn();
    stage.on('close', onClose);
    stage.on('error', () => undefined);
    stage.write('f0');
    await tick();
    expect(port.sendCalls).toBe(1); // send(f0) is in flight

    stage.destroy(new Error('torn down'));
    for (let i = 0; i < 5; i++) await tick();
    expect(stage.releaseSpy).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();

    pending.resolve('ok');
    await closed(stage);
    expect(stage.releaseSpy).toHaveBeenCalledTimes(1);
    expect(onClose).toHaveBeenCalledTimes(1);
    // release came after the native call returned, and nothing native ran after it
    expect(log.indexOf('send f0: ok')).toBeGreaterThanOrEqual(0);
    expect(log.indexOf('release')).toBeGreaterThan(log.indexOf('send f0: ok'));
    expect(port.receiveCalls).toBe(0); // the pump started no native call after destroy()
    expect(port.sendCalls).toBe(1);
  });

  it('waits for a pending receive that rejects, then releases exactly once', async () => {
    const log: string[] = [];
    const pending = deferred<ReceiveAnswer<string>>();
    const port = new ScriptedPort<string, string>(['ok'], [pending.promise], log);
    const stage = new TestStage(port, log);
    stage.on('error', () => undefined);
    stage.write('f0');
    while (port.receiveCalls === 0) await tick();

    stage.destroy();
    stage.destroy(); // a second destroy changes nothing
    for (let i = 0; i < 5; i++) await tick();
    expect(stage.releaseSpy).not.toHaveBeenCalled();

    pending.reject(new Error('native call failed late'));
    await closed(stage);
    for (let i = 0; i < 5; i++) await tick();
    expect(stage.releaseSpy).toHaveBeenCalledTimes(1);
    expect(log.indexOf('release')).toBeGreaterThan(log.indexOf('receive: throws native call failed late'));
    expect(port.receiveCalls).toBe(1);
  });

  it('starts no native call after destroy(): a pending receive answering EAGAIN does not lead to a re-send', async () => {
    const log: string[] = [];
    const pending = deferred<ReceiveAnswer<string>>();
    // send f0: EAGAIN → receive p0 → receive (pending: EAGAIN) → would re-send f0 if allowed to
    const port = new ScriptedPort<string, string>(['again', 'ok'], ['p0', pending.promise], log);
    const stage = new TestStage(port, log);
    stage.on('error', () => undefined);
    stage.resume(); // a consumer that takes p0 at once
    stage.write('f0');
    while (port.receiveCalls < 2) await tick();

    stage.destroy();
    for (let i = 0; i < 5; i++) await tick();
    expect(stage.releaseSpy).not.toHaveBeenCalled();

    pending.resolve('again');
    await closed(stage);
    for (let i = 0; i < 5; i++) await tick();
    expect(port.sendCalls).toBe(1);
    expect(port.receiveCalls).toBe(2);
    expect(stage.releaseSpy).toHaveBeenCalledTimes(1);
    expect(stage.callbacks.get('f0')).toBe(1); // failed once, never called back as accepted
    expect(log).toContain('callback f0 (error)');
  });

  it('a pipeline torn down while the codec is busy releases once, after the call', async () => {
    const pending = deferred<SendAnswer>();
    const port = new ScriptedPort<string, string>(['ok', pending.promise], ['again']);
    const stage = new TestStage(port);
    const ac = new AbortController();
    const { sink } = collector<string>();
    const run = rejection(pipeline(Readable.from(['f0', 'f1', 'f2']), stage, sink, { signal: ac.signal }));
    while (port.sendCalls < 2) await tick();
    ac.abort();
    for (let i = 0; i < 5; i++) await tick();
    expect(stage.releaseSpy).not.toHaveBeenCalled();
    pending.resolve('again');
    const err = await run;
    expect(err).toMatchObject({ name: 'AbortError' });
    await closed(stage);
    expect(stage.releaseSpy).toHaveBeenCalledTimes(1);
  });

  it('destroy() with nothing in flight releases once', async () => {
    const stage = new TestStage(new ScriptedPort<string, string>([], []));
    stage.destroy();
    await closed(stage);
    stage.destroy();
    expect(stage.releaseSpy).toHaveBeenCalledTimes(1);
  });
});

describe('CodecStage: backpressure from a slow consumer', () => {
  /**
   * A model codec: each input yields one output that becomes ready only when
   * the codec is next called with send (as a frame-threaded encoder); send
   * answers EAGAIN while a ready output is unread; receive hands out ready
   * outputs, else EAGAIN (or, once drained, EOF).
   */
  class ModelCodec implements CodecPort<number, string> {
    accepted = 0;
    readonly sentOrder: number[] = [];
    #working: string[] = [];
    #ready: string[] = [];
    #draining = false;
    receiveCalls = 0;

    constructor(private readonly capacity: number) {}

    async send(input: number | null): Promise<'ok' | 'again'> {
      await Promise.resolve();
      this.#ready.push(...this.#working);
      this.#working = [];
      if (input === null) {
        this.#draining = true;
        return 'ok';
      }
      if (this.#ready.length >= this.capacity) return 'again';
      this.accepted++;
      this.sentOrder.push(input);
      this.#working.push(`p${input}`);
      return 'ok';
    }

    async receive(): Promise<string | 'again' | 'eof'> {
      this.receiveCalls++;
      await Promise.resolve();
      if (this.#draining) {
        this.#ready.push(...this.#working);
        this.#working = [];
      }
      const out = this.#ready.shift();
      if (out !== undefined) return out;
      return this.#draining ? 'eof' : 'again';
    }
  }

  it('stops receiving while the readable side is full, keeps order, and holds the source back', async () => {
    const N = 50;
    const WRITABLE_HWM = 2;
    const SOURCE_HWM = 1;
    const codec = new ModelCodec(1);
    const stage = new TestStage(codec, [], { readableHighWaterMark: 1, writableHighWaterMark: WRITABLE_HWM });

    let produced = 0;
    let maxAhead = 0;
    function* frames(): Generator<number> {
      for (let i = 0; i < N; i++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - codec.accepted);
        yield i;
      }
    }

    const received: string[] = [];
    let n = 0;
    const slowSink = new Writable({
      objectMode: true,
      highWaterMark: 1,
      write(chunk: string, _enc, cb) {
        received.push(chunk);
        setTimeout(cb, 10 + (n++ % 3) * 5); // 10, 15, 20 ms per item
      },
    });

    await pipeline(Readable.from(frames(), { highWaterMark: SOURCE_HWM }), stage, slowSink);

    // everything arrived, in order
    expect(received).toEqual(Array.from({ length: N }, (_, i) => `p${i}`));
    expect(codec.sentOrder).toEqual(Array.from({ length: N }, (_, i) => i));
    // backpressure really happened...
    expect(stage.refusedPushes).toBeGreaterThan(0);
    expect(stage.pump.counters.sendAgain).toBeGreaterThan(0);
    // ...and the pump obeyed it
    expect(stage.maxReadableLength).toBeLessThanOrEqual(stage.readableHighWaterMark + 1);
    expect(stage.receivesWhileRefused).toBe(0);
    expect(stage.receivesWhileFull).toBe(0);
    // each write was called back exactly once
    expect(stage.callbacks.size).toBe(N);
    for (const [input, count] of stage.callbacks) expect(count, `callbacks of ${input}`).toBe(1);
    // the source never ran far ahead of what the codec accepted
    expect(maxAhead).toBeLessThanOrEqual(WRITABLE_HWM + 2);
    await closed(stage);
    expect(stage.releaseSpy).toHaveBeenCalledTimes(1);
  });

  it('several outputs per input under a readable high-water mark of 1: bounded buffer, all in order', async () => {
    // 3 outputs ready per input; the consumer is slow.
    const outsPer = 3;
    const N = 12;
    const sends: SendAnswer[] = Array.from({ length: N + 1 }, () => 'ok');
    const receives: Array<ReceiveAnswer<string>> = [];
    for (let i = 0; i < N; i++) {
      for (let k = 0; k < outsPer; k++) receives.push(`p${i}.${k}`);
      receives.push('again');
    }
    receives.push('eof');
    const expected = receives.filter((r): r is string => typeof r === 'string' && r.startsWith('p'));
    const port = new ScriptedPort<number, string>(sends, receives);
    const stage = new TestStage(port, [], { readableHighWaterMark: 1 });
    const received: string[] = [];
    const slowSink = new Writable({
      objectMode: true,
      highWaterMark: 1,
      write(chunk: string, _enc, cb) {
        received.push(chunk);
        setTimeout(cb, 10);
      },
    });
    await pipeline(Readable.from(Array.from({ length: N }, (_, i) => i)), stage, slowSink);
    expect(received).toHaveLength(N * outsPer);
    expect(received).toEqual(expected);
    expect(stage.refusedPushes).toBeGreaterThan(0);
    expect(stage.maxReadableLength).toBeLessThanOrEqual(2);
    expect(stage.receivesWhileRefused).toBe(0);
    expect(port.exhausted).toBe(true);
  });
});

describe('CodecPump with a hand-driven sink', () => {
  /** A sink whose push answers and demand are controlled by the test, as CodecStage does with its gate. */
  function handSink(accept: (out: string) => boolean): { sink: PumpSink<string>; gate: DemandGate; pushed: string[] } {
    const gate = new DemandGate();
    const pushed: string[] = [];
    const sink: PumpSink<string> = {
      push(out) {
        pushed.push(out);
        const ok = accept(out);
        if (!ok) gate.arm();
        return ok;
      },
      waitForDemand: () => gate.wait(),
    };
    return { sink, gate, pushed };
  }

  it('makes no receive call while a refused push waits for demand, and resumes on release', async () => {
    const port = new ScriptedPort<string, string>(['ok'], ['p0', 'p1', 'p2', 'again']);
    const { sink, gate, pushed } = handSink((out) => out !== 'p0');
    const pump = new CodecPump(port, sink);
    const done = vi.fn();
    const write = pump.write('f0').then(done);
    for (let i = 0; i < 10; i++) await tick();
    expect(pushed).toEqual(['p0']);
    expect(port.receiveCalls).toBe(1);
    expect(gate.armed).toBe(true);
    expect(done).not.toHaveBeenCalled();

    gate.release();
    await write;
    expect(pushed).toEqual(['p0', 'p1', 'p2']);
    expect(port.receiveCalls).toBe(4);
    expect(done).toHaveBeenCalledTimes(1);
  });

  it('a send EAGAIN whose outputs are refused keeps the write pending (and the input unsent)', async () => {
    const port = new ScriptedPort<string, string>(['again', 'ok'], ['p0', 'again', 'again']);
    const { sink, gate } = handSink(() => false);
    const pump = new CodecPump(port, sink);
    const done = vi.fn();
    const write = pump.write('f0').then(done);
    for (let i = 0; i < 10; i++) await tick();
    expect(port.sendCalls).toBe(1);
    expect(done).not.toHaveBeenCalled();
    gate.release();
    await write;
    expect(port.log).toEqual(['send f0: again', 'receive: p0', 'receive: again', 'send f0: ok', 'receive: again']);
    expect(done).toHaveBeenCalledTimes(1);
  });

  it('a closed gate (stage destroyed) fails the pending write with the close reason', async () => {
    const port = new ScriptedPort<string, string>(['ok'], ['p0', 'p1']);
    const { sink, gate } = handSink(() => false);
    const pump = new CodecPump(port, sink);
    const write = rejection(pump.write('f0'));
    for (let i = 0; i < 5; i++) await tick();
    const reason = new Error('destroyed');
    gate.close(reason);
    expect(await write).toBe(reason);
    expect(port.receiveCalls).toBe(1);
  });

  it('both EAGAIN → BEAMFLOW_FFMPEG naming the op', async () => {
    const port = new ScriptedPort<string, string>(['again'], ['again']);
    const { sink } = handSink(() => true);
    const err = await rejection(new CodecPump(port, sink, 'encode (libx264)').write('f0'));
    expect(err).toBeInstanceOf(BeamflowError);
    expect(err).toMatchObject({ code: 'BEAMFLOW_FFMPEG', op: 'encode (libx264)' });
  });

  it('drain after EOF is a no-op; counters count sends, receives and send EAGAINs', async () => {
    const port = new ScriptedPort<string, string>(['again', 'ok', 'ok'], ['p0', 'again', 'again', 'p1', 'eof']);
    const { sink, pushed } = handSink(() => true);
    const pump = new CodecPump(port, sink);
    await pump.write('f0');
    expect(pump.eof).toBe(false);
    await pump.drain();
    expect(pump.eof).toBe(true);
    await pump.drain();
    expect(pushed).toEqual(['p0', 'p1']);
    expect(pump.counters).toEqual({ sent: 2, received: 2, sendAgain: 1 });
    expect(port.exhausted).toBe(true);
  });

  it('refuses overlapping calls', async () => {
    const pending = deferred<SendAnswer>();
    const port = new ScriptedPort<string, string>([pending.promise], ['again']);
    const { sink } = handSink(() => true);
    const pump = new CodecPump(port, sink);
    const first = pump.write('f0');
    await expect(pump.write('f1')).rejects.toMatchObject({ code: 'BEAMFLOW_STATE', from: 'busy', to: 'busy' });
    pending.resolve('ok');
    await first;
    expect(port.log).toEqual(['send f0: ok', 'receive: again']);
  });
});

describe('DemandGate', () => {
  it('wait() resolves at once when not armed', async () => {
    const gate = new DemandGate();
    expect(gate.armed).toBe(false);
    const done = vi.fn();
    await gate.wait().then(done);
    expect(done).toHaveBeenCalledTimes(1);
  });

  it('wait() blocks while armed, until release()', async () => {
    const gate = new DemandGate();
    gate.arm();
    const done = vi.fn();
    const w1 = gate.wait().then(done);
    const w2 = gate.wait().then(done);
    for (let i = 0; i < 5; i++) await tick();
    expect(done).not.toHaveBeenCalled();
    gate.release();
    await Promise.all([w1, w2]);
    expect(done).toHaveBeenCalledTimes(2);
    expect(gate.armed).toBe(false);
  });

  it('a release() that comes before wait() is not missed', async () => {
    const gate = new DemandGate();
    gate.arm();
    gate.release(); // _read() arrived before the pump got to wait
    const done = vi.fn();
    await gate.wait().then(done);
    expect(done).toHaveBeenCalledTimes(1);
  });

  it('close() rejects current waiters and every later wait, armed or not', async () => {
    const gate = new DemandGate();
    gate.arm();
    const reason = new Error('destroyed');
    const waiting = rejection(gate.wait());
    gate.close(reason);
    expect(await waiting).toBe(reason);
    expect(await rejection(gate.wait())).toBe(reason);
    gate.release();
    expect(await rejection(gate.wait())).toBe(reason);
  });
});
