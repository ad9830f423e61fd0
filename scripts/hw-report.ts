/**
 * `pnpm hw:report`: the hardware negotiation table of this machine — for each
 * codec, the encoder `hwDevice: 'auto'` would use and why each device lost.
 * The same table as `beamflow hw`, from the same code.
 */
import { formatHardwareTable, hardwareTable } from '../packages/cli/src/hw-table.js';

process.stdout.write(formatHardwareTable(await hardwareTable()));
