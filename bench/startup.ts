/**
 * Benchmark 5, startup: time to the first packet of a 1280×720 libx264
 * ultrafast (zero latency) MPEG-TS stream on stdout, from the spawn of the
 * process to the first byte read from its stdout (Node's own start, loading
 * beamflow and beamcoder's addon, opening the encoder), for beamflow and the
 * ffmpeg command line; and for beamflow, the same from inside the process.
 *
 * Alongside, in the same rounds, what no Node program using FFmpeg's libraries
 * can go under: spawn → exit of `node -e 0`, of node loading beamcoder's addon
 * (which links FFmpeg's libraries and their dependencies) and nothing else, and
 * of `ffmpeg -version` (the same libraries loaded by the ffmpeg binary).
 */
import { spawn } from 'node:child_process';
import { nativeAddonPath } from '@beamflow/core';
import { alternate, fmt, median, runNodeJob, type Measure } from './lib.js';

function firstByte(cmd: string, args: string[]): Promise<number> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    let first: number | undefined;
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', () => {
      first ??= performance.now() - t0;
    });
    child.on('error', rej);
    child.on('close', (code) => (code === 0 && first !== undefined ? res(first) : rej(new Error(`${cmd} exited with ${code} before any byte`))));
  });
}

function spawnToExit(cmd: string, args: string[]): Promise<number> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: 'ignore', env: { ...process.env, BEAMFLOW_BEAMCODER_ADDON: nativeAddonPath() } });
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res(performance.now() - t0) : rej(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

export async function startup(rounds: number): Promise<string> {
  const ffArgs = ['-hide_banner', '-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25', '-frames:v', '25',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-f', 'mpegts', '-'];
  const spawnToByte = { ffmpeg: [] as number[], beamflow: [] as number[] };
  const floor = { node: [] as number[], addon: [] as number[], ffmpegLibs: [] as number[] };
  const none: Measure = { wallMs: 0, cpuMs: 0, maxRssMb: 0, extra: {} };
  const runs = await alternate(rounds, {
    ffmpeg: async (): Promise<Measure> => {
      const ms = await firstByte('ffmpeg', ffArgs);
      spawnToByte.ffmpeg.push(ms);
      return { wallMs: ms, cpuMs: 0, maxRssMb: 0, extra: {} };
    },
    beamflow: async (): Promise<Measure> => {
      let first: number | undefined;
      const t0 = performance.now();
      const m = await runNodeJob('startup-beamflow', [], { stdout: () => { first ??= performance.now() - t0; } });
      if (first === undefined || typeof m.extra.firstPacketMs !== 'number') throw new Error('beamflow wrote no packet');
      spawnToByte.beamflow.push(first);
      return m;
    },
    floor: async (): Promise<Measure> => {
      floor.node.push(await spawnToExit(process.execPath, ['-e', '0']));
      floor.addon.push(await spawnToExit(process.execPath, ['-e', `require(${JSON.stringify(nativeAddonPath())})`]));
      floor.ffmpegLibs.push(await spawnToExit('ffmpeg', ['-hide_banner', '-version']));
      return none;
    },
  });
  const ff = median(spawnToByte.ffmpeg);
  const bf = median(spawnToByte.beamflow);
  const firstPkt = median(runs.beamflow.map((m) => m.extra.firstPacketMs as number));
  const [node, addon, ffLibs] = [median(floor.node), median(floor.addon), median(floor.ffmpegLibs)];
  return [
    `### Startup: to the first packet of 1280×720 libx264 ultrafast zero-latency MPEG-TS on stdout (${rounds} rounds, medians)`,
    '',
    '| | spawn → first byte on stdout | process start → first packet (in-process) |',
    '|---|---|---|',
    `| ffmpeg | ${fmt.ms(ff)} | — |`,
    `| beamflow (compiled JS on node) | ${fmt.ms(bf)} | ${fmt.ms(firstPkt)} |`,
    '',
    `- spawn → first byte, beamflow ÷ ffmpeg: ${fmt.x(bf / ff)}`,
    `- spawn → exit, doing nothing: \`node -e 0\` ${fmt.ms(node)}; node loading the addon ${fmt.ms(addon)} (${fmt.x(addon / ff)} ffmpeg's first byte); ` +
      `\`ffmpeg -version\` ${fmt.ms(ffLibs)} (the same libraries, from the ffmpeg binary)`,
  ].join('\n');
}
