/** A one-line description of an input from its stream descriptors, for the line a run starts with. */
import type { SourceInfo } from '../source-gate.js';

export function describeInput(info: SourceInfo): string {
  const parts: string[] = [];
  const v = info.video;
  if (v) {
    const p = v.codecpar;
    parts.push(`${p.width ?? '?'}x${p.height ?? '?'}${info.frameRate ? ` ${+info.frameRate.toFixed(3)} fps` : ''}`);
  }
  if (info.audio) {
    const p = info.audio.codecpar;
    parts.push(`audio${p.sample_rate ? ` ${p.sample_rate} Hz` : ''}${p.channels ? ` ${p.channels} ch` : ''}`);
  }
  parts.push(info.duration !== undefined ? `${info.duration.toFixed(2)} s` : 'length unknown');
  return parts.join(', ');
}
