import os from 'node:os';
import { procStatFields } from '../../src/process/procStat';

/**
 * CPU each process of the stack spent on one way's batch, per run: on 2 cores every process
 * competes, so a side's time follows the CPU all of its processes spend (the dev server's
 * included), and this says whose it is. Read from /proc (utime + stime, children excluded).
 */
const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

export interface Meter {
  name: string;
  pid: number;
}

function cpuMs(pid: number): number {
  try {
    const f = procStatFields(pid);
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0; // gone: counts nothing
  }
}

export class CpuShare {
  private readonly spent = new Map<string, Map<string, number>>();
  private readonly runs = new Map<string, number>();

  constructor(private readonly meters: readonly Meter[]) {}

  /** Runs `batch` for `label`, adding what each process spent to that label's account. */
  async measure<T>(label: string, runs: number, batch: () => Promise<T>): Promise<T> {
    const before = this.meters.map((m) => cpuMs(m.pid));
    try {
      return await batch();
    } finally {
      const account = this.spent.get(label) ?? new Map<string, number>();
      this.meters.forEach((m, i) => account.set(m.name, (account.get(m.name) ?? 0) + cpuMs(m.pid) - before[i]!));
      this.spent.set(label, account);
      this.runs.set(label, (this.runs.get(label) ?? 0) + runs);
    }
  }

  /** `total 61 ms: temporal 30, golive-web 12, …` per run, busiest first. */
  summary(label: string): string {
    const account = [...(this.spent.get(label) ?? new Map<string, number>())];
    const runs = this.runs.get(label) ?? 1;
    const total = account.reduce((s, [, ms]) => s + ms, 0);
    const parts = account
      .filter(([, ms]) => ms > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([name, ms]) => `${name} ${(ms / runs).toFixed(1)}`);
    return `CPU per run ${(total / runs).toFixed(1)} ms (${os.cpus().length} cores): ${parts.join(', ')}`;
  }
}
