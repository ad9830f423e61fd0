/**
 * A finite-state machine over a transition table, one per stage kind. Stages
 * call `to(next)` at each step of their protocol; a step the table does not
 * allow throws a {@link StateError} naming both states, so a bug in a stage (or
 * a call at the wrong moment from a user) fails loudly instead of touching a
 * freed codec. Every transition is emitted as a `'state'` event with
 * `{ from, to }`: tests assert on the sequence, progress UIs show it.
 */
import { EventEmitter } from 'node:events';
import { StateError } from './errors.js';

/** Which states each state may move to. States absent from a row are forbidden targets. */
export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

/** Payload of the `'state'` event. */
export interface StateChange<S extends string> {
  readonly from: S;
  readonly to: S;
}

/**
 * The state of one stage instance.
 *
 * @example
 * ```ts
 * const table = { idle: ['running'], running: ['idle', 'done'], done: [] } as const;
 * const life = new Lifecycle('idle', table, 'Player');
 * life.on('state', ({ from, to }) => console.log(from, '→', to));
 * life.to('running');
 * life.to('idle');
 * ```
 */
export class Lifecycle<S extends string> extends EventEmitter<{ state: [StateChange<S>] }> {
  #state: S;
  readonly #table: TransitionTable<S>;
  readonly #name: string;

  constructor(initial: S, table: TransitionTable<S>, name = 'stage') {
    super();
    this.#state = initial;
    this.#table = table;
    this.#name = name;
  }

  /** The current state. */
  get state(): S {
    return this.#state;
  }

  /** Whether the table allows moving from the current state to `next`. */
  can(next: S): boolean {
    return this.#table[this.#state].includes(next);
  }

  /** Whether the current state is one of `states`. */
  is(...states: S[]): boolean {
    return states.includes(this.#state);
  }

  /** Move to `next`, or throw {@link StateError} if the table forbids it. */
  to(next: S): void {
    const from = this.#state;
    if (!this.can(next)) throw new StateError(from, next, this.#name);
    this.#state = next;
    this.emit('state', { from, to: next });
  }

  /** Move to `next` when allowed; returns whether it moved. For teardown paths that may run twice. */
  tryTo(next: S): boolean {
    if (!this.can(next)) return false;
    this.to(next);
    return true;
  }
}
