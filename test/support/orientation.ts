/**
 * A phone's portrait recording, as its camera writes it: the pixels stored
 * sideways and the MP4 track header's matrix telling players to turn them. The
 * ffmpeg command line of Debian 12 (5.1) cannot set that matrix when it
 * encodes, so a file it made gets the phone's matrix written into its `tkhd`
 * box, where a phone puts it.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** MP4 matrices (a b u c d v x y w; 16.16 except u v w, 2.30) of the turns a phone records. */
export const PHONE_MATRICES = {
  portrait: [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000],
  upsideDown: [-0x10000, 0, 0, 0, -0x10000, 0, 0, 0, 0x40000000],
  portraitFlipped: [0, -0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000],
} as const;

/** Writes `matrix` into the first track header of an MP4 (the video track when it is the first). */
export function setTrackMatrix(path: string, matrix: readonly number[]): void {
  const buf = readFileSync(path);
  const at = buf.indexOf('tkhd', 0, 'latin1');
  if (at < 4) throw new Error(`${path} has no track header`);
  const box = at - 4;
  const version = buf.readUInt8(box + 8);
  const offset = box + (version === 1 ? 60 : 48);
  matrix.forEach((v, i) => buf.writeInt32BE(v, offset + i * 4));
  writeFileSync(path, buf);
}
