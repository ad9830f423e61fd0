/**
 * The Encoder's lifecycle (DESIGN.md "Lifecycles"): created → initialized (at construction) →
 * headerWritten → encoding → draining → closed, seen through the 'state' event; `error` is reached
 * from a destroy that carries an error and leads to `closed`; `close()` is idempotent and awaitable.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { StateChange } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import type { EncoderState } from '@beamflow/encoder';
import { collect, discard, isPacket, outcome, tiny, withDeadline } from '../helpers.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

function record(enc: Encoder): StateChange<EncoderState>[] {
  const seen: StateChange<EncoderState>[] = [];
  enc.on('state', (c: StateChange<EncoderState>) => seen.push(c));
  return seen;
}

function closeEvent(enc: Encoder): Promise<void> {
  return enc.closed ? Promise.resolve() : new Promise((resolve) => enc.once('close', () => resolve()));
}

describe('Encoder lifecycle', () => {
  it('a full encode: initialized at construction, then headerWritten, encoding, draining, closed — in that order', async () => {
    const enc = new Encoder({ video: { codec: 'h264', preset: 'ultrafast' }, audio: { codec: 'aac' } });
    expect(enc.state).toBe('initialized');
    const seen = record(enc);
    const out = await collect(Readable.from(tiny({ frames: 10, audio: true })).pipe(enc));
    expect(out.filter(isPacket).length).toBeGreaterThan(0);
    expect(seen.map((c) => c.to)).toEqual(['headerWritten', 'encoding', 'draining', 'closed']);
    // Each event's `from` is the previous event's `to`: no transition was skipped or emitted twice.
    expect(seen.map((c) => c.from)).toEqual(['initialized', 'headerWritten', 'encoding', 'draining']);
    expect(enc.state).toBe('closed');
    await withDeadline(closeEvent(enc), 5000, 'close event after the end');
    // close() after a normal end resolves, twice, and changes nothing.
    await withDeadline(enc.close(), 5000, 'close() after the end');
    await withDeadline(enc.close(), 5000, 'second close() after the end');
    expect(seen).toHaveLength(4);
    expect(enc.state).toBe('closed');
  });

  it('the same sequence under stream.pipeline with video only', async () => {
    const enc = new Encoder({ video: { codec: 'h264', preset: 'ultrafast' } });
    const seen = record(enc);
    await pipeline(tiny({ frames: 5 }), enc, discard());
    expect(seen.map((c) => c.to)).toEqual(['headerWritten', 'encoding', 'draining', 'closed']);
  });

  it('an input with no frames: initialized → draining → closed, nothing comes out', async () => {
    const enc = new Encoder({ video: { codec: 'h264' } });
    const seen = record(enc);
    const out = await collect(Readable.from([]).pipe(enc));
    expect(out).toEqual([]);
    expect(seen.map((c) => c.to)).toEqual(['draining', 'closed']);
  });

  it('close() twice on a fresh encoder resolves both times (same promise), state closed without passing through error', async () => {
    const enc = new Encoder({ video: { codec: 'h264' } });
    const seen = record(enc);
    const a = enc.close();
    const b = enc.close();
    await withDeadline(Promise.all([a, b]), 5000, 'close() twice');
    await withDeadline(enc.close(), 5000, 'third close()');
    expect(enc.state).toBe('closed');
    expect(enc.destroyed).toBe(true);
    expect(seen.map((c) => c.to)).toEqual(['closed']);
  });

  it('destroy(err) on an idle encoder: error then closed', async () => {
    const enc = new Encoder({ video: { codec: 'h264' } });
    const seen = record(enc);
    const errors: Error[] = [];
    enc.on('error', (e: Error) => errors.push(e));
    const boom = new Error('boom');
    enc.destroy(boom);
    await withDeadline(closeEvent(enc), 5000, 'close after destroy(err)');
    expect(seen.map((c) => c.to)).toEqual(['error', 'closed']);
    expect(enc.state).toBe('closed');
    expect(errors).toEqual([boom]);
    await withDeadline(enc.close(), 5000, 'close() after destroy(err)');
  });

  it('destroy(err) in the middle of an encode (codec open, packets flowing): error then closed, the pipeline rejects with that error', async () => {
    const enc = new Encoder({ video: { codec: 'h264', preset: 'ultrafast' } });
    const seen = record(enc);
    const boom = new Error('stop here');
    let packets = 0;
    const res = await withDeadline(outcome(pipeline(tiny({ frames: 60 }), enc, discard((e) => {
      if (e.type === 'packet' && ++packets === 5) enc.destroy(boom);
    }))), 20_000, 'pipeline');
    expect(res.ok).toBe(false);
    expect(!res.ok && res.error).toBe(boom);
    await withDeadline(closeEvent(enc), 5000, 'close after destroy(err)');
    const tos = seen.map((c) => c.to);
    expect(tos.slice(0, 2)).toEqual(['headerWritten', 'encoding']);
    expect(tos.slice(-2)).toEqual(['error', 'closed']);
    expect(tos).not.toContain('draining');
    expect(enc.state).toBe('closed');
    await withDeadline(Promise.all([enc.close(), enc.close()]), 5000, 'close() twice after destroy(err)');
  });

  it('close() in the middle of an encode: closed without error; close() again resolves', async () => {
    const enc = new Encoder({ video: { codec: 'h264', preset: 'ultrafast' } });
    const seen = record(enc);
    enc.on('error', () => undefined);
    const src = tiny({ frames: 60 });
    let closing: Promise<void> | undefined;
    let packets = 0;
    enc.on('data', (e: { type: string }) => {
      if (e.type === 'packet' && ++packets === 3) closing = enc.close();
    });
    src.pipe(enc);
    await withDeadline(closeEvent(enc), 10_000, 'close');
    await withDeadline(closing!, 5000, 'close() promise');
    await withDeadline(enc.close(), 5000, 'second close()');
    src.destroy();
    const tos = seen.map((c) => c.to);
    expect(tos[tos.length - 1]).toBe('closed');
    expect(tos).not.toContain('error');
    expect(tos).not.toContain('draining');
    expect(enc.state).toBe('closed');
  });
});
