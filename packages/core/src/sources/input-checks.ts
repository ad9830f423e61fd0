/**
 * What an input named by a path or URL must pass before FFmpeg opens it, and
 * how FFmpeg's refusal to open it is reported. Untrusted input is contained:
 * FFmpeg may use only the protocols listed (`file` and `pipe` for a path), so
 * a playlist inside a file cannot reach `http://` or other files unless the
 * caller widens the list; a concat list (which names other files) is refused
 * unless allowed. A missing file, a directory and an empty file are
 * {@link InputError}s said plainly, before FFmpeg's "invalid data".
 *
 * demux.ts has the same checks inline (`DemuxSource`'s constructor and
 * `#open`), with the same messages; it can call these instead, so that the
 * two cannot drift apart.
 * @internal
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { ConfigError, InputError } from '../errors.js';
import { describe } from '../validate.js';

/** The protocols a path may use when the caller names none. */
export const DEFAULT_PROTOCOLS: readonly string[] = ['file', 'pipe'];

/** The options that govern what an input may reach. */
export interface InputCheckOptions {
  /** FFmpeg protocols the input may use (default `['file', 'pipe']`; a URL's own scheme must be listed). */
  protocols?: readonly string[];
  /** Open FFmpeg concat lists (`ffconcat version 1.0`), which name other files. Off by default. */
  allowConcat?: boolean;
}

/** An input that passed the checks. */
export interface CheckedInput {
  /** What FFmpeg is given, as the caller wrote it. */
  url: string;
  /** A URL with a scheme other than `file:` (nothing on the local disk was checked). */
  isUrl: boolean;
  /** A regular file (not a pipe, a device or a URL): it can be read ahead and has a size. */
  regularFile: boolean;
  /** Its size in bytes, for a regular file. */
  size?: number;
  /** The protocols FFmpeg may use for it. */
  protocols: readonly string[];
}

/** The options' own types: a ConfigError naming the option otherwise. */
export function checkInputOptions(opts: InputCheckOptions): void {
  const p = opts.protocols;
  if (p !== undefined && (!Array.isArray(p) || p.length === 0 || !p.every((x) => typeof x === 'string' && /^[a-z][a-z0-9+.-]*$/i.test(x)))) {
    throw new ConfigError('protocols', `must be a non-empty array of FFmpeg protocol names such as ['file', 'pipe'] (got ${describe(p)})`);
  }
  if (opts.allowConcat !== undefined && typeof opts.allowConcat !== 'boolean') {
    throw new ConfigError('allowConcat', `must be true or false (got ${describe(opts.allowConcat)})`);
  }
}

function startsWith(path: string, magic: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(magic.length);
    return readSync(fd, buf, 0, buf.length, 0) === buf.length && buf.toString('latin1') === magic;
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks a path or URL before it is opened: a ConfigError for a value that is not one or a
 * scheme not allowed, an InputError for a missing, directory, empty or concat-list file.
 * `field` names the argument in a ConfigError (`path`, `input`).
 */
export function checkInput(pathOrUrl: unknown, opts: InputCheckOptions, field = 'path'): CheckedInput {
  if (typeof pathOrUrl !== 'string' || pathOrUrl.length === 0) throw new ConfigError(field, `must be a file path or URL (got ${describe(pathOrUrl)})`);
  checkInputOptions(opts);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(pathOrUrl)?.[1]?.toLowerCase();
  // One letter before a colon is a Windows drive, not a scheme.
  const isUrl = scheme !== undefined && scheme.length > 1 && scheme !== 'file';
  const protocols = opts.protocols ?? DEFAULT_PROTOCOLS;
  if (isUrl && !protocols.includes(scheme)) {
    throw new ConfigError('protocols', `${scheme}:// is not allowed for this input; pass protocols: [..., '${scheme}'] to allow it`, protocols);
  }
  if (isUrl) return { url: pathOrUrl, isUrl, regularFile: false, protocols };
  const path = scheme === 'file' ? pathOrUrl.replace(/^file:(\/\/)?/, '') : pathOrUrl;
  if (!existsSync(path)) throw new InputError(pathOrUrl, 'no such file');
  const st = statSync(path);
  if (st.isDirectory()) throw new InputError(pathOrUrl, 'is a directory, not a media file');
  // Nothing to probe in a zero-byte file: say so plainly instead of FFmpeg's "invalid data".
  if (st.isFile() && st.size === 0) throw new InputError(pathOrUrl, 'is empty');
  if (st.isFile() && !opts.allowConcat && startsWith(path, 'ffconcat version 1.0')) {
    throw new InputError(pathOrUrl, 'is an FFmpeg concat list, which names other files; pass allowConcat: true to open it');
  }
  return { url: pathOrUrl, isUrl, regularFile: st.isFile(), ...(st.isFile() ? { size: st.size } : {}), protocols };
}

/** The demuxer options that hold FFmpeg to the allowed protocols. */
export function demuxerOptions(input: CheckedInput): { protocol_whitelist: string } {
  return { protocol_whitelist: input.protocols.join(',') };
}

/** FFmpeg's refusal to open an input, as the InputError a user reads (beamcoder's source location dropped). */
export function openFailure(url: string, err: unknown): InputError {
  const msg = err instanceof Error ? err.message : String(err);
  const reason = msg.replace(/^In file \S+ on line \d+, found error: /, '').replace(/\s+/g, ' ').trim();
  return new InputError(url, `cannot be opened as media (${reason})`, { cause: err });
}
