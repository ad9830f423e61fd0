/**
 * Bytes from a Node stream into an FFmpeg demuxer, with backpressure.
 *
 * FFmpeg reads a custom-I/O input on a libuv pool thread, and blocks there
 * when it needs bytes that have not arrived. The bytes are queued from the
 * JavaScript thread at once (`governor.push`, no pool trip of its own, so a
 * reader waiting for them can never hold the thread they need), and:
 * - a write's callback waits while more than {@link HIGH_WATER_BYTES} are
 *   queued and unread, so a slow pipeline slows its source (an upload's
 *   socket stops being read) instead of buffering it;
 * - a demuxer call is started only once enough bytes are queued for it not to
 *   wait ({@link OPEN_AHEAD_BYTES} to open and probe, {@link READ_AHEAD_BYTES}
 *   per read) or the input has ended, so pool threads are rarely held
 *   waiting; when one does wait (a probe or a packet larger than that), a
 *   held write is let through as soon as the reader is seen starving;
 * - an MP4 whose index (moov) follows its media data cannot be demuxed
 *   without seeking back: the first box headers are looked at before any
 *   byte reaches FFmpeg, and such a file is either refused with the reason or,
 *   with `spool`, written to a temporary file that is opened at the end of
 *   the input and removed as soon as it is open (and on abort).
 */
import { mkdtempSync, rmSync, type WriteStream, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { beamcoder } from '../native.js';

/** Unread bytes above which writes wait. */
export const HIGH_WATER_BYTES = 4 << 20;
/** Bytes queued before the demuxer is opened (it probes the format and reads the first packets). */
export const OPEN_AHEAD_BYTES = 1 << 20;
/** Bytes queued before each packet read. */
export const READ_AHEAD_BYTES = 256 << 10;
/** Bytes queued above which packets are read 16 to a call. */
export const BATCH_AHEAD_BYTES = 1 << 20;
/** Bytes held back while the head of an MP4 is looked at, at most. */
const HEAD_LIMIT = 1 << 20;

/** The native side: bytes queued for a demuxer's custom I/O. */
export interface Governor {
  push(chunk: Buffer): number;
  state(): { queued: number; starved: boolean };
  finish(): void;
}

/** What the demuxer opens once the bytes allow it: the queued bytes, or the spooled file. */
export type ByteSource = { governor: Governor } | { path: string };

/** Top-level ISO BMFF box types a file may start with. */
const MP4_TOP = new Set(['ftyp', 'styp', 'free', 'skip', 'wide', 'pdin', 'moov', 'mdat', 'moof', 'sidx', 'uuid', 'meta', 'junk']);

/**
 * Whether an MP4/MOV head shows the media data (mdat) before the index (moov):
 * `true`, `false` (index first, fragmented, or not an MP4 at all), or
 * `undefined` while the bytes seen do not tell yet.
 * @internal
 */
export function mp4IndexAtEnd(head: Buffer): boolean | undefined {
  let at = 0;
  for (;;) {
    if (head.length < at + 8) return undefined;
    const type = head.toString('latin1', at + 4, at + 8);
    if (!MP4_TOP.has(type)) return false;
    if (type === 'moov' || type === 'moof' || type === 'sidx') return false;
    if (type === 'mdat') return true;
    let size = head.readUInt32BE(at);
    if (size === 1) {
      if (head.length < at + 16) return undefined;
      const large = head.readBigUInt64BE(at + 8);
      if (large > BigInt(Number.MAX_SAFE_INTEGER)) return false;
      size = Number(large);
    }
    // A box that runs to the end of the file, or a size that cannot be one: not ours to judge.
    if (size < 8) return false;
    at += size;
  }
}

/** Stands in for a released byte queue: nothing is queued, and nothing can be. */
const RELEASED: Governor = { push: () => 0, state: () => ({ queued: 0, starved: false }), finish: () => undefined };

export interface ByteInputOptions {
  /** The input's name in errors. */
  label: string;
  /** Spool an input that needs seeking to a temporary file instead of refusing it. */
  spool: boolean;
}

/** The writable half of a byte-input Demuxer. */
export class ByteInput {
  readonly #opts: ByteInputOptions;
  #governor: Governor;
  /** Chunks held back until the head check decides (null once decided). */
  #head: Buffer[] | null = [];
  #headBytes = 0;
  #spool: { dir: string; path: string; file: WriteStream } | undefined;
  #spoolDone = false;
  #spoolError: Error | undefined;
  #ended = false;
  #closed = false;
  #held: (() => void) | undefined;
  #waiters: Array<() => void> = [];
  #calls = 0;
  #poll: NodeJS.Timeout | undefined;
  /** Set when the input cannot be read (an MP4 that needs seeking, without spool). */
  failure: InputError | undefined;
  /** Bytes written so far. */
  bytes = 0;

  constructor(opts: ByteInputOptions) {
    this.#opts = opts;
    this.#governor = (beamcoder() as unknown as { governor(o: object): Governor }).governor({});
  }

  /** Writable `_write`: queue the bytes; the callback waits while the demuxer is behind. */
  write(chunk: Buffer, cb: (err?: Error | null) => void): void {
    if (this.#closed) return cb();
    this.bytes += chunk.length;
    if (this.#spool) {
      this.#spool.file.write(chunk, (err) => cb(err ?? null));
      return;
    }
    if (this.#head) {
      this.#head.push(chunk);
      this.#headBytes += chunk.length;
      if (!this.#decide(false)) return cb();
      if (this.#spool) return cb();
    } else {
      this.#governor.push(chunk);
    }
    this.#wake();
    if (this.#governor.state().queued < HIGH_WATER_BYTES) return cb();
    this.#held = () => cb();
    this.#watch();
  }

  /** Writable `_final`: no more bytes; FFmpeg reads what is queued and then sees the end. */
  end(cb: (err?: Error | null) => void): void {
    this.#ended = true;
    if (this.#head) this.#decide(true);
    if (this.#spool) {
      const { file } = this.#spool;
      file.end(() => {
        this.#spoolDone = true;
        this.#wake();
        cb(file.errored ?? null);
      });
      return;
    }
    this.#governor.finish();
    this.#wake();
    cb();
  }

  /** Decide on the head seen so far (or on all of it at the end); true once decided. */
  #decide(atEnd: boolean): boolean {
    const head = this.#head!;
    const joined = head.length === 1 ? head[0]! : Buffer.concat(head);
    this.#head = [joined];
    let needsSeek = mp4IndexAtEnd(joined);
    if (needsSeek === undefined) {
      if (!atEnd && this.#headBytes < HEAD_LIMIT) return false;
      needsSeek = false;
    }
    this.#head = null;
    if (needsSeek && !this.#opts.spool) {
      this.failure = new InputError(
        this.#opts.label,
        'is an MP4 whose index (moov box) comes after its media data, which a stream cannot be demuxed from without seeking back; ' +
          'pass spool: true to have it written to a temporary file first, or write it with `-movflags +faststart`',
      );
      this.#governor.finish();
      return true;
    }
    if (needsSeek) {
      const dir = mkdtempSync(join(tmpdir(), 'beamflow-spool-'));
      const path = join(dir, 'input');
      const file = createWriteStream(path);
      // A failure to write the spool (a full disk) fails the input at its open, not the process.
      file.on('error', (err) => {
        this.#spoolError ??= err;
        this.#wake();
      });
      this.#spool = { dir, path, file };
      file.write(joined);
      this.#governor.finish();
      return true;
    }
    if (joined.length > 0) this.#governor.push(joined);
    return true;
  }

  /** Resolves once a demuxer call can start without waiting for bytes: `bytes` queued, or the input complete. */
  async ready(bytes: number): Promise<void> {
    while (!this.#closed && !this.failure) {
      if (this.#spoolError || (this.#spool ? this.#spoolDone : this.#ended || (!this.#head && this.#governor.state().queued >= bytes))) return;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Whether a call can read `bytes` without waiting: that many are queued, or the input has ended. */
  hasAhead(bytes: number): boolean {
    return !this.#head && !this.#spool && (this.#ended || this.#governor.state().queued >= bytes);
  }

  /** What the demuxer opens (after {@link ready}). */
  source(): ByteSource {
    if (this.failure) throw this.failure;
    if (this.#spoolError) throw new InputError(this.#opts.label, `could not be spooled to a temporary file (${this.#spoolError.message})`, { cause: this.#spoolError });
    return this.#spool ? { path: this.#spool.path } : { governor: this.#governor };
  }

  /** The spooled file has been opened: it is removed now, while FFmpeg keeps reading it. */
  opened(): void {
    this.#removeSpool();
  }

  /** Runs a native call on the input, letting a held write through if the call starves for bytes. */
  async call<T>(p: Promise<T>): Promise<T> {
    this.#calls++;
    this.#watch();
    try {
      return await p;
    } finally {
      this.#calls--;
      this.#release();
    }
  }

  /**
   * Abort: FFmpeg sees the end at once, held writes and waiters go; resolves once a spool file
   * is closed and removed (removed only after its stream closed: one still opening would
   * otherwise open a file in a removed directory).
   */
  close(): Promise<void> {
    if (this.#closed) return this.#closing;
    this.#closed = true;
    this.#governor.finish();
    if (this.#poll) clearInterval(this.#poll);
    this.#release(true);
    this.#wake();
    const spool = this.#spool;
    if (spool && !spool.file.closed) {
      this.#closing = new Promise<void>((resolve) => {
        spool.file.once('close', () => {
          this.#removeSpool();
          resolve();
        });
        spool.file.destroy();
      });
    } else {
      this.#removeSpool();
    }
    return this.#closing;
  }

  #closing: Promise<void> = Promise.resolve();

  /**
   * After the last native call: lets go of the byte queue, so that it is freed even while this
   * object stays reachable (an error's stack keeps the stages it passed through alive).
   */
  release(): void {
    void this.close();
    this.#governor = RELEASED;
  }

  #removeSpool(): void {
    if (this.#spool) rmSync(this.#spool.dir, { recursive: true, force: true });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #release(force = false): void {
    if (!this.#held) return;
    const st = this.#governor.state();
    if (!force && st.queued >= HIGH_WATER_BYTES && !st.starved) return;
    const held = this.#held;
    this.#held = undefined;
    held();
  }

  /** While a write is held and a call runs, look every few milliseconds for the reader starving. */
  #watch(): void {
    if (this.#poll || !this.#held || this.#calls === 0) return;
    this.#poll = setInterval(() => {
      this.#release();
      if (!this.#held || this.#calls === 0) {
        clearInterval(this.#poll);
        this.#poll = undefined;
      }
    }, 5);
  }
}
