/**
 * `tee()`: one source, several branches — an HLS ladder with a Scaler and an
 * Encoder per rendition, or HLS plus RTMP plus a Node stream of bytes.
 *
 * Protocol
 * - Each branch is a Readable with its own bounded queue (`highWaterMark`
 *   items). The source is read once; every item goes to every branch.
 * - Frames and packets are shared natively but not as objects: each branch
 *   gets its own reference (av_frame_clone / av_packet_clone through the
 *   beamcoder patch), so one encoder rescaling pts, or one muxer taking
 *   ownership of a packet, never disturbs another branch. No pixel is copied.
 * - Pace: by default (`overflow: 'wait'`) the slowest branch sets the pace —
 *   the source is not read again until every branch has room. A live branch
 *   can say `overflow: 'drop'`: when its queue is full it skips frames (or,
 *   for packets, everything up to the next keyframe, so what it does get
 *   still decodes) instead of holding the others back. Descriptors are never
 *   dropped. `tee.dropped[i]` counts what branch i skipped.
 * - Errors and abort reach the whole tee: a source error destroys every
 *   branch with it; a branch destroyed with an error (its pipeline failed)
 *   destroys the source and the other branches with that error; a branch
 *   closed early without one aborts the others with an AbortError.
 */
import { Readable } from 'node:stream';
import { AbortError, ConfigError } from './errors.js';
import { cutShort } from './cut-short.js';
import type { Envelope } from './envelopes.js';
import { beamcoder } from './native.js';
import { positiveInt } from './validate.js';

/** Options of one branch. */
export interface TeeBranchOptions {
  /** Items queued for this branch (default 8). */
  highWaterMark?: number;
  /** 'wait' (default): hold the source back; 'drop': skip items while this branch is full. */
  overflow?: 'wait' | 'drop';
}

class TeeBranch extends Readable {
  #waiter: (() => void) | undefined;
  skipping = false;

  constructor(
    readonly index: number,
    readonly opts: Required<TeeBranchOptions>,
    private readonly onDestroy: (b: TeeBranch, err: Error | null) => void,
  ) {
    super({ objectMode: true, highWaterMark: opts.highWaterMark });
  }

  get full(): boolean {
    return this.readableLength >= this.readableHighWaterMark;
  }

  /** Resolves when this branch has room again (or is gone). */
  room(): Promise<void> {
    if (!this.full || this.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  override _read(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
    this.onDestroy(this, err);
    cb(err ?? cutShort(this));
  }
}

/** The branches of a tee, with what each dropped. */
export interface TeeBranches extends Array<Readable> {
  /** Items skipped by each branch under `overflow: 'drop'`. */
  readonly dropped: number[];
}

function cloneFor(e: Envelope): Envelope {
  const bc = beamcoder() as unknown as { cloneFrame(f: unknown): unknown; clonePacket(p: unknown): unknown };
  if (e.type === 'frame') return { ...e, frame: bc.cloneFrame(e.frame) as typeof e.frame };
  if (e.type === 'packet') return { ...e, packet: bc.clonePacket(e.packet) as typeof e.packet };
  return e;
}

function isKey(e: Envelope): boolean {
  return e.type === 'packet' && (e.packet.flags as { KEY?: boolean } | undefined)?.KEY === true;
}

/**
 * Feed one source into several branches.
 *
 * @example
 * ```ts
 * const [hd, sd] = tee(decodeFile('in.mp4'), 2);
 * await Promise.all([
 *   pipeline(hd, new Scaler({ height: 720 }), new Encoder(cfg720), new Rescaler(), new Muxer({ format: 'hls', output: 'out/720/index.m3u8' })),
 *   pipeline(sd, new Scaler({ height: 360 }), new Encoder(cfg360), new Rescaler(), new Muxer({ format: 'hls', output: 'out/360/index.m3u8' })),
 * ]);
 * ```
 */
export function tee(source: Readable, branches: number | readonly TeeBranchOptions[]): TeeBranches {
  const specs: TeeBranchOptions[] = typeof branches === 'number'
    ? Array.from({ length: positiveInt('branches', branches, 64) }, () => ({}))
    : [...branches];
  if (specs.length === 0) throw new ConfigError('branches', 'needs at least one branch');
  let failed = false;
  const fail = (err: Error, except?: TeeBranch): void => {
    if (failed) return;
    failed = true;
    for (const b of outs) if (b !== except && !b.destroyed) b.destroy(err);
    if (!source.destroyed) source.destroy(err);
  };
  let ended = false;
  const onDestroy = (b: TeeBranch, err: Error | null): void => {
    if (failed) return;
    if (err) fail(err, b);
    else if (!ended) fail(new AbortError(`tee branch ${b.index} closed before the source ended`), b);
  };
  const outs = specs.map((s, i) => new TeeBranch(i, {
    highWaterMark: s.highWaterMark === undefined ? 8 : positiveInt(`branches[${i}].highWaterMark`, s.highWaterMark, 1 << 16),
    overflow: s.overflow ?? 'wait',
  }, onDestroy));
  const dropped = outs.map(() => 0);

  (async () => {
    try {
      for await (const item of source as AsyncIterable<Envelope>) {
        if (failed) return;
        // Hold the source until every waiting branch has room.
        await Promise.all(outs.filter((b) => b.opts.overflow === 'wait').map((b) => b.room()));
        if (failed) return;
        outs.forEach((b, i) => {
          if (b.destroyed) return;
          const isMedia = item.type !== 'stream';
          if (b.opts.overflow === 'drop' && isMedia) {
            if (b.skipping && item.type === 'packet' && !isKey(item)) {
              dropped[i]!++;
              return;
            }
            b.skipping = false;
            if (b.full) {
              dropped[i]!++;
              // A packet stream cannot resume mid-GOP: skip to the next keyframe.
              if (item.type === 'packet') b.skipping = true;
              return;
            }
          }
          b.push(i === outs.length - 1 ? item : cloneFor(item));
        });
      }
      ended = true;
      for (const b of outs) if (!b.destroyed) b.push(null);
    } catch (err) {
      fail(err instanceof Error ? err : new Error(String(err)));
    }
  })();

  return Object.assign(outs as Readable[], { dropped }) as TeeBranches;
}
