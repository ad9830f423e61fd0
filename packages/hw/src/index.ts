/** `@beamflow/hw`: hardware device negotiation (CUDA, VAAPI) with software fallback. */
export { negotiate, defaultProbes, clearNegotiationCache, hwEncoderParams } from './negotiate.js';
export type { HardwareChoice, HardwareDevice, DeviceKind, NegotiateOptions, Probes } from './negotiate.js';
