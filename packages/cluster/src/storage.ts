/**
 * Shared storage: one directory that the coordinator and every worker see
 * (one disk here, a mounted file system across machines). Job data never
 * carries an absolute path: inputs and outputs are relative to the storage
 * root, and each side resolves them against its own mount of it, so a worker
 * may mount the storage elsewhere than the coordinator.
 *
 * Protocol
 * - `relativeInStorage` (coordinator): a path the user gave (relative to the
 *   root, or absolute inside it) becomes the relative path that job data
 *   carries; anything else is a {@link ConfigError}.
 * - `resolveInStorage` (worker, and again the coordinator): a relative path from
 *   job data becomes an absolute one, refused when it is absolute, has a `..`
 *   component, a NUL, or resolves (symbolic links followed) outside the root.
 *   Job data comes from Redis: whoever can write to the queue must not be able
 *   to make a worker read or write outside the storage.
 * - Files are written under a temporary name and renamed into place
 *   (`writeAtomically`), so a reader never sees half a file, and a worker
 *   killed mid-write leaves only a `.partial-*` file that cleanup removes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigError } from '@beamflow/core';

/** Where a job keeps its pieces, relative to the storage root. */
export const WORK_ROOT = '.beamflow';

/** The storage root as an absolute, symlink-free path; a ConfigError when it is not a directory. */
export function storageRoot(root: unknown, field = 'storage'): string {
  if (typeof root !== 'string' || root.length === 0) throw new ConfigError(field, 'must be the path of the shared storage directory');
  let real: string;
  try {
    real = realpathSync(resolve(root));
  } catch {
    throw new ConfigError(field, `${root} does not exist (the shared storage must be a directory every worker can reach)`);
  }
  return real;
}

function inside(root: string, abs: string): boolean {
  return abs === root || abs.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The nearest existing ancestor of a path (the path itself when it exists). */
function existingAncestor(abs: string): string {
  let p = abs;
  while (!existsSync(p)) {
    const up = dirname(p);
    if (up === p) return p;
    p = up;
  }
  return p;
}

/**
 * A path given by a user (relative to the root, or absolute inside it) as the relative path job
 * data carries.
 */
export function relativeInStorage(root: string, path: unknown, field: string): string {
  if (typeof path !== 'string' || path.length === 0) throw new ConfigError(field, 'must be a path inside the storage directory');
  const abs = isAbsolute(path) ? resolve(path) : resolve(root, path);
  // An absolute path may name the root through a symbolic link (/tmp → /private/tmp).
  const realAbs = join(realpathSync(existingAncestor(abs)), relative(existingAncestor(abs), abs));
  if (!inside(root, realAbs)) throw new ConfigError(field, `${path} is outside the storage directory ${root}: workers read and write only there`);
  const rel = relative(root, realAbs);
  if (rel === '') throw new ConfigError(field, `${path} is the storage directory itself; name a file inside it`);
  return rel.split(sep).join('/');
}

/**
 * A relative path from job data, resolved inside the storage root. Refused (a ConfigError naming
 * `field`) when absolute, with a `..` component or a NUL, or when it reaches outside the root
 * through a symbolic link.
 */
export function resolveInStorage(root: string, rel: unknown, field: string): string {
  if (typeof rel !== 'string' || rel.length === 0 || rel.length > 4096) throw new ConfigError(field, 'must be a relative path inside the storage');
  if (rel.includes('\0')) throw new ConfigError(field, 'must not contain NUL');
  if (isAbsolute(rel) || /^[a-zA-Z]:[\\/]/.test(rel) || rel.startsWith('\\')) throw new ConfigError(field, `must be relative to the storage root (got ${JSON.stringify(rel)})`);
  if (rel.split(/[\\/]/).some((part) => part === '..')) throw new ConfigError(field, `must not climb out with '..' (got ${JSON.stringify(rel)})`);
  const abs = resolve(root, rel);
  if (!inside(root, abs) || abs === root) throw new ConfigError(field, `${JSON.stringify(rel)} is not inside the storage`);
  // Symbolic links inside the storage must not lead out of it either.
  const anchor = existingAncestor(abs);
  const real = join(realpathSync(anchor), relative(anchor, abs));
  if (!inside(root, real)) throw new ConfigError(field, `${JSON.stringify(rel)} leads outside the storage through a symbolic link`);
  return abs;
}

/** A temporary name beside `path`, unique to this writer. */
export function partialName(path: string): string {
  return `${path}.partial-${randomBytes(6).toString('hex')}`;
}

/**
 * Run `write(tmp)` to produce a file or directory at a temporary name, then rename it to `path`
 * (replacing what was there). The temporary is removed when `write` fails.
 */
export async function writeAtomically<T>(path: string, write: (tmp: string) => Promise<T>): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = partialName(path);
  try {
    const out = await write(tmp);
    if (existsSync(path)) rmSync(path, { recursive: true, force: true });
    renameSync(tmp, path);
    return out;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** The work directory of a flow, relative to the storage root. */
export function workDirOf(flow: string): string {
  return `${WORK_ROOT}/${flow}`;
}
