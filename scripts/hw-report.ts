/**
 * `pnpm hw:report`: the hardware negotiation table of this machine — for each
 * codec, the encoder `hwDevice: 'auto'` would use and why each device lost.
 */
import { negotiate } from '@beamflow/hw';

for (const codec of ['h264', 'hevc', 'av1', 'vp9']) {
  const choice = await negotiate({ codec });
  console.log(`${codec.padEnd(5)} → ${choice.encoder} (${choice.kind}${choice.device ? ` ${choice.device.device}` : ''})`);
  for (const r of choice.rejected) console.log(`        ${r.kind.padEnd(6)} ${r.encoder}: ${r.reason}`);
}
