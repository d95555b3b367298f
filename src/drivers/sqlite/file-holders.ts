import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';

/** Processes other than this one with the file open, read from /proc (Linux only; others' processes only when run as root or their owner). */
export function processesHolding(path: string): { pid: number; command: string }[] {
  if (process.platform !== 'linux' || !existsSync(path)) return [];
  const { dev, ino } = statSync(path);
  const found: { pid: number; command: string }[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return [];
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        const s = statSync(`/proc/${pid}/fd/${fd}`);
        return s.ino === ino && s.dev === dev;
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    let command = '';
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        .split('\0')
        .filter(Boolean)
        .join(' ')
        .replace(/\s+/g, ' ')
        .slice(0, 120);
    } catch {
      // Exited meanwhile.
    }
    found.push({ pid: Number(pid), command });
  }
  return found;
}
