/** `@beamflow/muxer`: the Rescaler and Muxer stages and their outputs. */
export { Rescaler } from './rescaler.js';
export type { RescalerOptions } from './rescaler.js';
export { Muxer, MUXER_TRANSITIONS } from './muxer.js';
export type { MuxerOptions, MuxerState, HlsOptions, DashOptions } from './muxer.js';
export { writeHlsMasterPlaylist, codecsOf, peakBandwidth } from './outputs/hls-master.js';
export type { HlsVariant } from './outputs/hls-master.js';
