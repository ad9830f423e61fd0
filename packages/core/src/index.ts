/**
 * `@beamflow/core`: loading the native layer, envelopes and stream descriptors,
 * exact time-base math, the error family, lifecycles, the codec pump, sources,
 * the frame stages and tee. What sibling packages share beyond this lives in
 * `@beamflow/core/internal`.
 */
export {
  BeamflowError, ConfigError, StateError, FFmpegError, NativeLoadError, InputError, TimestampError,
  DeviceUnavailableError, AbortError, OverflowError,
} from './errors.js';
export type { BeamflowErrorCode, NativeLoadReason } from './errors.js';
export {
  rational, toRational, toTuple, reduce, invert, q2d, equalRational, rescale, rescaleRnd, compareTs,
  frameDuration, toSeconds, NOPTS,
} from './rational.js';
export type { Rational, RationalLike, Rounding } from './rational.js';
export { Lifecycle } from './lifecycle.js';
export type { TransitionTable, StateChange } from './lifecycle.js';
export { isStreamDescriptor, isFrameEnvelope, isPacketEnvelope, codecParametersFrom } from './envelopes.js';
export type {
  MediaKind, StreamKind, CodecParameters, StreamDescriptor, FrameEnvelope, PacketEnvelope, Envelope, KeyframeRequest, Upstream,
} from './envelopes.js';
export { CodecPump, CodecStage, DemandGate } from './codec-pump.js';
export type { CodecPort, PumpSink, PumpCounters, CodecStageOptions } from './codec-pump.js';
export { beamcoder, ffmpegVersion, setLogLevel, nativeAddonPath, nativeBuildInfo, nativeObjectCounts, releaseFrame } from './native.js';
export type {
  BeamcoderModule, BuildInfo, NativeObjectCounts, Frame, Packet, CodecPar, BeamEncoder, BeamDecoder, BeamMuxer, BeamDemuxer, BeamStream,
} from './native.js';
export { testPattern, TestPatternSource, TEST_PATTERN_PIXEL_FORMATS } from './sources/test-pattern.js';
export type { TestPatternOptions, TestPatternPixelFormat } from './sources/test-pattern.js';
export { Scaler, SCALER_ALGORITHMS } from './filters/scaler.js';
export type { ScalerOptions } from './filters/scaler.js';
export { Resampler } from './filters/resampler.js';
export { Filter } from './filters/filter.js';
export type { FilterOptions } from './filters/filter.js';
export type { ResamplerOptions } from './filters/resampler.js';
export { decodeFile, demuxFile, DecodeSource, DemuxPacketSource } from './sources/demux.js';
export type { DemuxOptions } from './sources/demux.js';
export { Demuxer } from './sources/demuxer.js';
export type { DemuxerOptions } from './sources/demuxer.js';
export { Decoder } from './decoder.js';
export type { DecoderOptions, DecodeOptions } from './decoder.js';
export { fromFrames } from './sources/from-frames.js';
export type { FromFramesOptions } from './sources/from-frames.js';
export { tee } from './tee.js';
export { probe } from './probe.js';
export type { ProbeOptions, ProbeResult, ProbeFormat, ProbeStream, ProbeDisposition, ProbeChapter } from './probe.js';
export { thumbnails, thumbnailSprite } from './thumbnails.js';
export type {
  ThumbnailInput, ThumbnailTimes, ThumbnailFormat, ThumbnailOptions, Thumbnail, SpriteOptions, SpriteCue, ThumbnailSprite,
} from './thumbnails.js';
export { displayRotation } from './orientation.js';
export type { DisplayMatrix } from './orientation.js';
export type { TeeBranchOptions, TeeBranches } from './tee.js';
export type { HardwareDecodeChoice } from './hw-devices.js';
