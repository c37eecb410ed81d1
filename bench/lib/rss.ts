// Resident memory of a child process, from /proc/<pid>/status (Linux). The kernel's own high-water
// mark (VmHWM) is reset before each measured run by writing 5 to /proc/<pid>/clear_refs, so each
// run reports its own peak; a 20 ms VmRSS sampler backs it up where that reset is not allowed.

import { readFileSync, writeFileSync } from 'node:fs';

export interface Memory {
  rssMb: number;
  peakMb: number;
}

export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** Starts watching a process's memory; `stop()` gives the peak since the start. */
export function watchPeakRss(pid: number, intervalMs = 20): { stop(): Memory } {
  let resetWorked = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    resetWorked = false;
  }
  let sampledPeak = readMemory(pid).rssMb;
  const timer = setInterval(() => {
    try {
      sampledPeak = Math.max(sampledPeak, readMemory(pid).rssMb);
    } catch {
      // the process is gone; keep what was seen
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const now = readMemory(pid);
      return { rssMb: now.rssMb, peakMb: resetWorked ? Math.max(now.peakMb, sampledPeak) : sampledPeak };
    },
  };
}
