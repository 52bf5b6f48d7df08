import fs from 'node:fs';

/**
 * The fields of /proc/<pid>/stat after the command name (Linux): [0] is field 3 (state), [1]
 * field 4 (ppid), [11] and [12] fields 14–15 (utime, stime in clock ticks). The command name
 * (field 2) is in parentheses and may hold spaces, so the split starts after its last `)`.
 * Throws when the process is gone or not ours to read.
 */
export function procStatFields(pid: number | string): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
