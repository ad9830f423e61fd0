/**
 * How a job tells the parent what it cost: CPU time of the whole process (all
 * threads) and its peak RSS, plus whatever the job measured itself, written
 * to the file named by BENCH_REPORT. Kept apart from the runner so that a
 * compiled job carries nothing but itself.
 */
import { renameSync, writeFileSync } from 'node:fs';

export function reportFromJob(extra: Record<string, unknown> = {}): void {
  const path = process.env.BENCH_REPORT;
  if (!path) return;
  const cpu = process.cpuUsage();
  const body = { cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, ...extra };
  // Written whole and renamed, so the parent never reads half a report.
  writeFileSync(`${path}.part`, JSON.stringify(body));
  renameSync(`${path}.part`, path);
}
