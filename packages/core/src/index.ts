/**
 * `@beamflow/core`: loading beamcoder, envelopes and stream descriptors, exact
 * time-base math, the error family, lifecycles, the codec pump, frame sources
 * and frame filters.
 */
export {
  BeamflowError, ConfigError, StateError, FFmpegError, NativeLoadError, InputError, TimestampError,
  DeviceUnavailableError, AbortError, OverflowError, toFFmpegError, closestNames,
} from './errors.js';
export type { BeamflowErrorCode } from './errors.js';
export {
  rational, toRational, toTuple, reduce, invert, q2d, equalRational, rescale, rescaleRnd, compareTs,
  frameDuration, toSeconds, NOPTS,
} from './rational.js';
export type { Rational, RationalLike, Rounding } from './rational.js';
export { Lifecycle } from './lifecycle.js';
export type { TransitionTable, StateChange } from './lifecycle.js';
export { isStreamDescriptor, isFrameEnvelope, isPacketEnvelope, codecParametersFrom } from './envelopes.js';
export type { MediaKind, CodecParameters, StreamDescriptor, FrameEnvelope, PacketEnvelope, Envelope } from './envelopes.js';
export { CodecPump, CodecStage, DemandGate } from './codec-pump.js';
export type { CodecPort, PumpSink, PumpCounters, CodecStageOptions } from './codec-pump.js';
export { beamcoder, ffmpegVersion, setLogLevel, nativeAddonPath, releaseFrame } from './native.js';
export type { BeamcoderModule, Frame, Packet, CodecPar, BeamEncoder, BeamDecoder, BeamMuxer, BeamDemuxer, BeamStream } from './native.js';
export { testPattern, TestPatternSource, TEST_PATTERN_PIXEL_FORMATS } from './sources/test-pattern.js';
export type { TestPatternOptions, TestPatternPixelFormat } from './sources/test-pattern.js';
export * as validate from './validate.js';
export { BatchPort } from './batch-port.js';
export { FrameFilter, identityProcessor } from './filters/frame-filter.js';
export type { FrameProcessor } from './filters/frame-filter.js';
export { Scaler, SCALER_ALGORITHMS, checkPixelFormat } from './filters/scaler.js';
export type { ScalerOptions } from './filters/scaler.js';
export { Resampler, openAudioProcessor, audioFrameKey, layoutChannels, defaultChannelLayout } from './filters/resampler.js';
export type { ResamplerOptions, AudioTarget } from './filters/resampler.js';
export { AudioChunker, ChunkClock, sampleFormatInfo } from './filters/audio-chunker.js';
export { decodeFile, demuxFile, DecodeSource, DemuxPacketSource } from './sources/demux.js';
export type { DemuxOptions } from './sources/demux.js';
export { fromFrames } from './sources/from-frames.js';
export type { FromFramesOptions } from './sources/from-frames.js';
export { tee } from './tee.js';
export {
  _defaultDeviceProbes, _locateDevice, _openDevice, _createFrames, _uploadFrame, _downloadFrame, _negotiateDecoder,
} from './hw-devices.js';
export type { DeviceKind, DeviceProbes, HardwareDeviceContext, HardwareFramesContext, HardwareDecodeChoice } from './hw-devices.js';
export type { TeeBranchOptions, TeeBranches } from './tee.js';
