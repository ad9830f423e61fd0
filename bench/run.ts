/**
 * `pnpm bench`: beamflow against the ffmpeg command line (and, where it
 * applies, a sequential beamcoder loop) on the same jobs in the same run,
 * alternating, several rounds; prints markdown with medians and ratios for
 * bench/RESULTS.md. Every output is checked (ffprobe, frame counts) before its
 * time is believed.
 *
 *   pnpm bench [transcode] [ladder] [encode] [memory] [startup] [cluster] [rss]   (default: all)
 *   BENCH_ROUNDS=5     rounds per benchmark
 *   BENCH_QUICK=1      tiny inputs, to check that every benchmark still runs
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { ffmpegVersion } from '@beamflow/core';
import { encodeOnly } from './encode.js';
import { quick } from './lib.js';
import { ladder } from './ladder.js';
import { boundedMemory } from './memory.js';
import { cluster } from './cluster.js';
import { rssBreakdown } from './rss.js';
import { startup } from './startup.js';
import { transcode } from './transcode.js';

const all = ['transcode', 'ladder', 'encode', 'memory', 'startup', 'cluster', 'rss'] as const;
const picked = process.argv.slice(2);
for (const p of picked) if (!(all as readonly string[]).includes(p)) throw new Error(`unknown benchmark ${p}; there are: ${all.join(', ')}`);
const want = (name: (typeof all)[number]): boolean => picked.length === 0 || picked.includes(name);
const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 5));

const ffmpeg = spawnSync('ffmpeg', ['-version'], { encoding: 'utf8' }).stdout.split('\n')[0];
console.log(`Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
  `Node ${process.version}; ${ffmpeg}; beamcoder's libavcodec ${ffmpegVersion()}${quick ? '; QUICK mode (tiny inputs: times mean nothing)' : ''}`);
if (want('transcode')) console.log(`\n${await transcode(rounds)}`);
if (want('ladder')) console.log(`\n${await ladder(rounds)}`);
if (want('encode')) console.log(`\n${await encodeOnly(rounds)}`);
if (want('memory')) console.log(`\n${(await boundedMemory()).text}`);
if (want('startup')) console.log(`\n${await startup(Math.max(rounds, quick ? 1 : 7))}`);
if (want('cluster')) console.log(`\n${await cluster(rounds)}`);
if (want('rss')) console.log(`\n${await rssBreakdown(rounds)}`);
