/**
 * `@beamflow/cluster`: segment-parallel transcodes on BullMQ with Redis. The
 * coordinator (`submitTranscode`) cuts the input at keyframes and adds one
 * flow; workers (`startWorker`) encode the segments and the audio and stitch
 * them into the output by stream copy.
 */
export { submitTranscode } from './submit.js';
export type { TranscodeOptions, TranscodeJob, TranscodeProgress } from './submit.js';
export { startWorker, DEFAULT_QUEUE, DEFAULT_PREFIX } from './worker.js';
export type { ClusterWorker, ClusterWorkerOptions } from './worker.js';
export { ClusterJobError } from './errors.js';
export type { FailedJob } from './errors.js';
export type { TranscodeResult } from './processors/stitch.js';
export { redactUrl } from './connection.js';
export type { RedisConnectionInput, RedisTlsOptions } from './connection.js';
export type { ClusterVideoSettings, ClusterAudioSettings, LadderRung, SegmentPlan } from './job-data.js';
