/**
 * The hardware negotiation table: for each codec, the encoder that
 * `hwDevice: 'auto'` would use on this machine and why each device lost.
 * `beamflow hw` and `pnpm hw:report` both print it from here.
 */
import { negotiate, type HardwareChoice, type NegotiateOptions } from '@beamflow/hw';

/** Codecs the table covers, in the order it lists them. */
export const HW_CODECS = ['h264', 'hevc', 'av1', 'vp9'] as const;

/** One codec's outcome. */
export interface HardwareRow {
  codec: string;
  /** The encoder chosen (`libx264` when software wins). */
  encoder: string;
  kind: HardwareChoice['kind'];
  /** CUDA device index or VAAPI render node, for a hardware choice. */
  device: string | undefined;
  /** Each candidate that lost, with the reason. */
  rejected: Array<{ kind: string; encoder: string; reason: string }>;
}

/** Negotiate each codec (probes are injectable for tests, as in {@link negotiate}). */
export async function hardwareTable(
  codecs: readonly string[] = HW_CODECS,
  negotiateFn: (opts: NegotiateOptions) => Promise<HardwareChoice> = negotiate,
): Promise<HardwareRow[]> {
  const rows: HardwareRow[] = [];
  for (const codec of codecs) {
    const choice = await negotiateFn({ codec });
    rows.push({
      codec,
      encoder: choice.encoder,
      kind: choice.kind,
      device: choice.device?.device,
      rejected: choice.rejected.map((r) => ({ kind: r.kind, encoder: r.encoder, reason: r.reason })),
    });
  }
  return rows;
}

/** The table as text: a line per codec, then an indented line per rejected candidate. */
export function formatHardwareTable(rows: readonly HardwareRow[]): string {
  const lines: string[] = [];
  for (const row of rows) {
    lines.push(`${row.codec.padEnd(5)} → ${row.encoder} (${row.kind}${row.device ? ` ${row.device}` : ''})`);
    for (const r of row.rejected) lines.push(`        ${r.kind.padEnd(6)} ${r.encoder}: ${r.reason}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
