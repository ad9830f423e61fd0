/**
 * `--cluster URL --storage DIR` of `beamflow transcode` and `beamflow hls`:
 * instead of transcoding here, submit the job to the workers on that Redis
 * (@beamflow/cluster: one BullMQ flow, a job per segment) and draw one
 * progress bar for the whole job: video frames done over every segment (and
 * rendition), as the workers report them. The first Ctrl-C/SIGTERM cancels
 * the job (its pending segments and its files are removed), since a job cut
 * into pieces has no partial output to finalize.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterAudioSettings, ClusterVideoSettings, LadderRung, TranscodeProgress } from '@beamflow/cluster';
import { reportEnd, type CommandContext } from './command.js';
import { UsageError } from './failures.js';
import type { OptionSpec, Parsed } from './options.js';
import type { ProgressSnapshot } from './progress.js';

/** The options that send a transcode to the cluster. */
export const SUBMIT_OPTIONS: readonly OptionSpec[] = [
  { name: 'cluster', type: 'string', value: 'URL', help: 'submit to the workers on this Redis (redis:// or rediss://) instead of encoding here' },
  { name: 'storage', type: 'string', value: 'DIR', help: 'with --cluster: the storage the workers share; IN and OUT must be inside it' },
  { name: 'queue', type: 'string', value: 'NAME', default: 'beamflow-transcode', help: 'with --cluster: the BullMQ queue' },
  { name: 'redis-ca', type: 'string', value: 'FILE', help: "with --cluster: CA certificate (PEM) of a rediss:// server's certificate" },
];

/** Flags that mean something only for a local transcode. */
const LOCAL_ONLY = ['hw', 'start', 'end', 'copyts', 'audio-track', 'no-autorotate', 'format'];

export interface ClusterRun {
  command: 'transcode' | 'hls';
  input: string;
  output: string;
  format: 'mp4' | 'hls';
  segmentSeconds: number;
  video: ClusterVideoSettings;
  audio: ClusterAudioSettings | false;
  ladder?: LadderRung[];
}

/** The snapshot of the common progress bar from a cluster job's progress. */
function snapshot(p: TranscodeProgress, seconds: number): ProgressSnapshot {
  const time = p.totalFrames > 0 ? (seconds * p.frames) / p.totalFrames : 0;
  return {
    frames: p.frames, fps: p.elapsed > 0 ? p.frames / p.elapsed : 0, speed: p.elapsed > 0 ? time / p.elapsed : 0,
    time, duration: seconds, bytes: 0, elapsed: p.elapsed,
  };
}

/** Submit, watch, and report as a local run does (progress, `end`, exit code). */
export async function runOnCluster(args: Parsed, ctx: CommandContext, run: ClusterRun): Promise<number> {
  const v = args.values;
  const url = String(v.cluster);
  const storage = v.storage as string | undefined;
  if (!storage) throw new UsageError('--cluster needs --storage DIR, the directory the workers share', run.command);
  for (const flag of LOCAL_ONLY) {
    if (args.given.has(flag)) throw new UsageError(`--${flag} is not available with --cluster`, run.command);
  }
  if (run.input === '-' || run.output === '-') throw new UsageError('--cluster reads and writes files in the shared storage, not stdin or stdout', run.command);
  // Loaded on demand: BullMQ and ioredis are not for the commands that run here.
  const { redactUrl, submitTranscode } = await import('@beamflow/cluster');
  const job = await submitTranscode(url, {
    storage, input: run.input, output: run.output, format: run.format, segmentSeconds: run.segmentSeconds,
    video: run.video, audio: run.audio, ...(run.ladder ? { ladder: run.ladder } : {}), queue: String(v.queue),
    ...(v['redis-ca'] !== undefined ? { tls: { ca: String(v['redis-ca']) } } : {}),
  });
  const seconds = job.segments.reduce((n, s) => n + s.duration, 0);
  ctx.progress.event('start', {
    command: run.command, input: run.input, output: run.output, format: run.format, cluster: redactUrl(url), job: job.id,
    segments: job.segments.length, renditions: job.renditions, frames: job.totalFrames, duration: seconds,
  });
  ctx.progress.say(`${run.command}: ${run.input} → ${run.output} on ${redactUrl(url)}: job ${job.id}, ${job.segments.length} segments${job.renditions > 1 ? ` × ${job.renditions} renditions` : ''}, ${job.totalFrames} frames`);
  const onProgress = (p: TranscodeProgress): void => ctx.progress.update(snapshot(p, seconds));
  job.on('progress', onProgress);
  ctx.interrupts.onStop(() => void job.cancel());
  try {
    const result = await job.done;
    const last = snapshot(job.progress(), seconds);
    ctx.progress.finish(last);
    const out = join(storage, result.output);
    const file = run.format === 'mp4' ? out : undefined;
    reportEnd(ctx, { outputs: [out], format: run.format, ...(file ? { file } : {}), last: { ...last, bytes: file ? statSync(file).size : result.bytes } });
    return 0;
  } catch (err) {
    if (ctx.interrupts.signal) {
      ctx.progress.finish();
      ctx.progress.say(`stopped by ${ctx.interrupts.signal}: job ${job.id} cancelled, its pieces removed`);
      return ctx.interrupts.exitCode!;
    }
    throw err;
  } finally {
    ctx.interrupts.onStop(undefined);
    job.off('progress', onProgress);
    await job.close();
  }
}
