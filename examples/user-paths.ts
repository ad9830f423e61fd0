/**
 * Paths as the user meant them. `pnpm --filter @beamflow/examples run …` (and
 * so `make demo`) runs a script in examples/, and says in INIT_CWD where the
 * command was typed: relative paths, the defaults included, are taken from
 * there, and paths are shown relative to it, so what is printed can be pasted
 * into the same shell.
 */
import { isAbsolute, relative, resolve } from 'node:path';

const base = process.env.INIT_CWD ?? process.cwd();

/** A path given on the command line (or a default), as an absolute path. */
export const userPath = (p: string): string => resolve(base, p);

/** An absolute path as the user's shell would name it. */
export function shown(p: string): string {
  const r = relative(base, p);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}
