/**
 * Lifecycle: a transition table, 'state' events for every legal move, and a
 * StateError (code BEAMFLOW_STATE, naming both states) for every illegal one.
 */
import { describe, expect, it, vi } from 'vitest';
import { BeamflowError, StateError } from '../../src/errors.js';
import { Lifecycle } from '../../src/lifecycle.js';
import type { StateChange, TransitionTable } from '../../src/lifecycle.js';

/** The Encoder's lifecycle from the design (seed: encoder-lifecycle.md). */
type S = 'created' | 'initialized' | 'headerWritten' | 'encoding' | 'draining' | 'closed' | 'error';
const TABLE: TransitionTable<S> = {
  created: ['initialized', 'closed', 'error'],
  initialized: ['headerWritten', 'closed', 'error'],
  headerWritten: ['encoding', 'draining', 'closed', 'error'],
  encoding: ['draining', 'closed', 'error'],
  draining: ['closed', 'error'],
  error: ['closed'],
  closed: [],
};

function make(): { life: Lifecycle<S>; onState: ReturnType<typeof vi.fn<(c: StateChange<S>) => void>> } {
  const life = new Lifecycle<S>('created', TABLE, 'Encoder');
  const onState = vi.fn<(c: StateChange<S>) => void>();
  life.on('state', onState);
  return { life, onState };
}

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('Lifecycle', () => {
  it('starts in its initial state', () => {
    const { life, onState } = make();
    expect(life.state).toBe('created');
    expect(onState).not.toHaveBeenCalled();
  });

  it('emits one state event {from, to} per legal transition, in order', () => {
    const { life, onState } = make();
    const path: S[] = ['initialized', 'headerWritten', 'encoding', 'draining', 'closed'];
    for (const s of path) life.to(s);
    expect(life.state).toBe('closed');
    expect(onState).toHaveBeenCalledTimes(5);
    expect(onState.mock.calls.map(([c]) => c)).toEqual([
      { from: 'created', to: 'initialized' },
      { from: 'initialized', to: 'headerWritten' },
      { from: 'headerWritten', to: 'encoding' },
      { from: 'encoding', to: 'draining' },
      { from: 'draining', to: 'closed' },
    ]);
  });

  it('has already moved when listeners run', () => {
    const { life } = make();
    const seen: S[] = [];
    life.on('state', () => seen.push(life.state));
    life.to('initialized');
    life.to('error');
    expect(seen).toEqual(['initialized', 'error']);
  });

  it('reaches error from any working state, and closed from error', () => {
    for (const working of ['created', 'initialized', 'headerWritten', 'encoding', 'draining'] as const) {
      const life = new Lifecycle<S>(working, TABLE);
      const onState = vi.fn<(c: StateChange<S>) => void>();
      life.on('state', onState);
      life.to('error');
      life.to('closed');
      expect(onState.mock.calls.map(([c]) => c)).toEqual([
        { from: working, to: 'error' },
        { from: 'error', to: 'closed' },
      ]);
    }
  });

  it('throws StateError (BEAMFLOW_STATE, from, to) on an illegal transition and stays put', () => {
    const { life, onState } = make();
    const err = catchError(() => life.to('encoding'));
    expect(err).toBeInstanceOf(StateError);
    expect(BeamflowError.isInstance(err)).toBe(true);
    expect(err).toMatchObject({ code: 'BEAMFLOW_STATE', from: 'created', to: 'encoding' });
    expect(life.state).toBe('created');
    expect(onState).not.toHaveBeenCalled();
  });

  it('forbids self-transitions the table does not list, and every move out of closed', () => {
    const { life, onState } = make();
    expect(catchError(() => life.to('created'))).toMatchObject({ code: 'BEAMFLOW_STATE', from: 'created', to: 'created' });
    life.to('closed');
    for (const s of Object.keys(TABLE) as S[]) {
      expect(catchError(() => life.to(s))).toMatchObject({ code: 'BEAMFLOW_STATE', from: 'closed', to: s });
    }
    expect(onState).toHaveBeenCalledTimes(1);
  });

  it('an illegal step in the middle does not disturb the sequence', () => {
    const { life, onState } = make();
    life.to('initialized');
    expect(catchError(() => life.to('draining'))).toMatchObject({ code: 'BEAMFLOW_STATE', from: 'initialized', to: 'draining' });
    life.to('headerWritten');
    expect(onState.mock.calls.map(([c]) => c)).toEqual([
      { from: 'created', to: 'initialized' },
      { from: 'initialized', to: 'headerWritten' },
    ]);
  });

  it('tryTo moves and returns true when allowed, returns false without throwing or emitting otherwise', () => {
    const { life, onState } = make();
    expect(life.tryTo('encoding')).toBe(false);
    expect(life.state).toBe('created');
    expect(onState).not.toHaveBeenCalled();
    expect(life.tryTo('closed')).toBe(true);
    expect(life.state).toBe('closed');
    expect(life.tryTo('closed')).toBe(false); // a second close on a teardown path
    expect(onState).toHaveBeenCalledTimes(1);
    expect(onState).toHaveBeenLastCalledWith({ from: 'created', to: 'closed' });
  });

  it('can() follows the current row of the table', () => {
    const { life } = make();
    expect(life.can('initialized')).toBe(true);
    expect(life.can('error')).toBe(true);
    expect(life.can('encoding')).toBe(false);
    expect(life.can('created')).toBe(false);
    life.to('initialized');
    expect(life.can('initialized')).toBe(false);
    expect(life.can('headerWritten')).toBe(true);
    life.to('closed');
    for (const s of Object.keys(TABLE) as S[]) expect(life.can(s)).toBe(false);
  });

  it('is() checks membership of the current state', () => {
    const { life } = make();
    expect(life.is('created')).toBe(true);
    expect(life.is('initialized', 'created')).toBe(true);
    expect(life.is('initialized', 'closed')).toBe(false);
    expect(life.is()).toBe(false);
    life.to('error');
    expect(life.is('error')).toBe(true);
    expect(life.is('created')).toBe(false);
  });

  it('a listener that moves again (error → closed) nests its event after the outer one', () => {
    const { life, onState } = make();
    life.on('state', ({ to }) => {
      if (to === 'error') life.to('closed');
    });
    life.to('error');
    expect(life.state).toBe('closed');
    expect(onState.mock.calls.map(([c]) => c)).toEqual([
      { from: 'created', to: 'error' },
      { from: 'error', to: 'closed' },
    ]);
  });
});
