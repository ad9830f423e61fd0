/** `beamflow hw`: this machine's hardware negotiation table, as text or JSON, on stdout. */
import type { Command } from '../command.js';
import { formatHardwareTable, hardwareTable, HW_CODECS } from '../hw-table.js';
import type { OptionSpec } from '../options.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'json', type: 'boolean', help: 'the table as JSON (an array of rows)' },
  { name: 'help', short: 'h', type: 'boolean', help: 'this help' },
];

export const hw: Command = {
  name: 'hw',
  summary: 'show which video encoder each codec gets here (CUDA, VAAPI or software) and why',
  usage: ['hw [--json]'],
  description: [
    `For each of ${HW_CODECS.join(', ')}: the encoder --hw auto would use on this machine, then`,
    'each hardware candidate that lost with the reason (driver missing, no render node, the',
    'encoder refused to open on the device).',
  ],
  options: OPTIONS,
  media: false,
  positionals: 0,
  examples: ['beamflow hw', 'beamflow hw --json | jq ".[0].encoder"'],
  async run(args, ctx) {
    const rows = await hardwareTable();
    ctx.io.stdout.write(args.values.json ? `${JSON.stringify(rows, null, 2)}\n` : formatHardwareTable(rows));
    return 0;
  },
};
