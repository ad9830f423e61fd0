/**
 * `@beamflow/core/internal`: what beamflow's own packages share and an
 * application should not build on. Names and shapes here change without notice.
 * @internal
 * @packageDocumentation
 */
export { toFFmpegError, closestNames } from './errors.js';
export { _setNativeAddonPath, _ffmpegMismatch, _mallocStats as mallocStats, _mallocTrim as mallocTrim } from './native.js';
export type { MallocStats } from './native.js';
export * as validate from './validate.js';
export { BatchPort } from './batch-port.js';
export { cutShort } from './cut-short.js';
export { FrameFilter, identityProcessor } from './filters/frame-filter.js';
export type { FrameProcessor } from './filters/frame-filter.js';
export { checkPixelFormat } from './filters/scaler.js';
export { openGraph } from './filters/graph.js';
export type { FilterGraph, GraphOutput } from './filters/graph.js';
export { displayMatrixBytes, displayMatrixFrom, uprightFilter } from './orientation.js';
export { openAudioProcessor, audioFrameKey, layoutChannels, defaultChannelLayout } from './filters/resampler.js';
export type { AudioTarget } from './filters/resampler.js';
export { AudioChunker, ChunkClock, sampleFormatInfo } from './filters/audio-chunker.js';
export {
  _defaultDeviceProbes, _locateDevice, _openDevice, _createFrames, _uploadFrame, _downloadFrame, _negotiateDecoder,
} from './hw-devices.js';
export type { DeviceKind, DeviceProbes, HardwareDeviceContext, HardwareFramesContext } from './hw-devices.js';
export { InlineBudget } from './inline-budget.js';
