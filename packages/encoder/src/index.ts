/** `@beamflow/encoder`: the Encoder stage. */
export { Encoder, ENCODER_TRANSITIONS } from './encoder.js';
export type { EncoderState, EncoderStats } from './encoder.js';
export type { EncoderConfig, VideoEncoderConfig, AudioEncoderConfig, HwDeviceOption } from './encoder-config.js';
