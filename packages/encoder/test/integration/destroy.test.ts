/**
 * Destroy at every point (DESIGN.md "End of stream, errors, abort" and "Lifecycles"): a short encode
 * is torn down right after the k-th packet leaves the Encoder — by an AbortSignal given to
 * stream.promises.pipeline, by encoder.destroy(), or by encoder.destroy(err) — for every k from
 * 0 (at the first descriptor) to 15, in the encoding phase (x264 ultrafast, packets flow while
 * frames arrive) and in the draining phase (x264's default lookahead holds all 20 frames until the
 * end of input). Each time: the pipeline rejects, the Encoder reaches 'closed', nothing hangs, no
 * rejection goes unhandled, the process survives. Past the last packet the pipeline completes.
 */
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, StateChange } from '@beamflow/core';
import { Encoder } from '@beamflow/encoder';
import type { EncoderConfig, EncoderState } from '@beamflow/encoder';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { discard, outcome, tiny, withDeadline } from '../helpers.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const FRAMES = 20;
const N = 15;
const ROUNDS = 3;

type How = 'signal' | 'destroy' | 'destroy-error';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
const uncaught: unknown[] = [];
const onUncaught = (err: unknown): void => {
  uncaught.push(err);
};
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtExceptionMonitor', onUncaught);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtExceptionMonitor', onUncaught);
});

/** Let pending microtasks, immediates and finalizers run, so a stray rejection has time to surface. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

interface Run {
  k: number;
  ok: boolean;
  error: unknown;
  fired: boolean;
  states: EncoderState[];
}

/**
 * One encode, torn down after the k-th packet leaves the Encoder (k = 0: at its first output, a
 * stream descriptor). `mux`: through a Rescaler and a Muxer to Matroska bytes, else into a sink.
 */
async function runOnce(k: number, how: How, cfg: EncoderConfig, audio: boolean, mux: boolean): Promise<Run> {
  const enc = new Encoder(cfg);
  const states: EncoderState[] = [enc.state];
  enc.on('state', (c: StateChange<EncoderState>) => states.push(c.to));
  const ac = new AbortController();
  const boom = new Error(`destroyed at packet ${k}`);
  const stages = mux ? [new Rescaler(), new Muxer({ format: 'matroska' })] as const : [] as const;
  const p = how === 'signal'
    ? pipeline(tiny({ frames: FRAMES, audio }), enc, ...stages, discard(), { signal: ac.signal })
    : pipeline(tiny({ frames: FRAMES, audio }), enc, ...stages, discard());
  let packets = 0;
  let fired = false;
  enc.on('data', (e: Envelope) => {
    if (fired) return;
    if (e.type === 'packet') packets++;
    if (packets < k) return;
    fired = true;
    if (how === 'signal') ac.abort();
    else if (how === 'destroy') enc.destroy();
    else enc.destroy(boom);
  });
  const res = await withDeadline(outcome(p), 20_000, `pipeline torn down (${how}) at packet ${k}`);
  // pipeline() may settle before the Encoder's release ran: wait for its 'close'.
  if (!enc.closed) await withDeadline(new Promise((resolve) => enc.once('close', resolve)), 10_000, `Encoder close (${how}) at packet ${k}`);
  expect(enc.destroyed, `destroyed (${how}) at ${k}`).toBe(true);
  expect(enc.state, `state (${how}) at ${k}: ${states.join(' → ')}`).toBe('closed');
  for (const m of stages) {
    if (!m.closed) await withDeadline(new Promise((resolve) => m.once('close', resolve)), 10_000, `${m.constructor.name} close at ${k}`);
  }
  return { k, ok: res.ok, error: res.ok ? undefined : res.error, fired, states };
}

const PHASES: Array<{ name: string; cfg: EncoderConfig; audio: boolean; mux: boolean; draining: boolean }> = [
  { name: 'encoding phase (ultrafast, video + AAC, through a Muxer)', cfg: { video: { codec: 'h264', preset: 'ultrafast' }, audio: { codec: 'aac' } }, audio: true, mux: true, draining: false },
  { name: 'draining phase (x264 defaults: every packet comes out after the end of input)', cfg: { video: { codec: 'h264' } }, audio: false, mux: false, draining: true },
];

describe('destroy at every point', () => {
  for (const phase of PHASES) {
    for (const how of ['signal', 'destroy', 'destroy-error'] as const) {
      it(`${how}: ${phase.name}, k = 0..${N}, ${ROUNDS} rounds`, async () => {
        for (let round = 0; round < ROUNDS; round++) {
          for (let k = 0; k <= N; k++) {
            const r = await runOnce(k, how, phase.cfg, phase.audio, phase.mux);
            const what = `${how} at packet ${k}, round ${round}: ${r.states.join(' → ')}`;
            expect(r.fired, what).toBe(true);
            expect(r.ok, what).toBe(false);
            if (how === 'signal') expect((r.error as Error).name, what).toBe('AbortError');
            else if (how === 'destroy-error') expect((r.error as Error).message, what).toBe(`destroyed at packet ${k}`);
            // A plain destroy: Node's premature close, or the Encoder's own AbortError from the write it cut short.
            else expect(['ERR_STREAM_PREMATURE_CLOSE', 'BEAMFLOW_ABORTED'], what).toContain((r.error as NodeJS.ErrnoException).code);
            // A destroy carrying an error passes through 'error'; a plain destroy does not.
            expect(r.states.includes('error'), what).toBe(how !== 'destroy');
            expect(r.states[r.states.length - 1], what).toBe('closed');
            // x264's lookahead holds all 20 frames: every packet, hence every teardown after one, comes while draining.
            if (phase.draining && k >= 1) expect(r.states, what).toContain('draining');
          }
          await settle();
          expect(unhandled, 'unhandled rejections').toEqual([]);
          expect(uncaught, 'uncaught exceptions').toEqual([]);
        }
      });
    }
  }

  it('past the last packet nothing is torn down: the pipeline completes and the Encoder closes normally', async () => {
    for (const phase of PHASES) {
      const r = await runOnce(10_000, 'signal', phase.cfg, phase.audio, phase.mux);
      expect(r.fired).toBe(false);
      expect(r.ok).toBe(true);
      expect(r.states).toEqual(['initialized', 'headerWritten', 'encoding', 'draining', 'closed']);
    }
    await settle();
    expect(unhandled).toEqual([]);
    expect(uncaught).toEqual([]);
  });
});
