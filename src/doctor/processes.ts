/**
 * Which process holds which socket: /proc/PID/fd/* links read "socket:[INODE]".
 * Without root only the caller's own processes can be read; the others are
 * counted so the report can say what it could not see.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface SocketOwner {
  pid: number;
  command: string;
}

export interface OwnerMap {
  byInode: Map<number, SocketOwner>;
  /** Processes whose descriptors we were not allowed to read. */
  unreadable: number;
}

/** At most this many descriptors are looked at (a host with millions stays bounded). */
const MAX_FDS = 2_000_000;

export function socketOwners(proc = '/proc'): OwnerMap {
  const byInode = new Map<number, SocketOwner>();
  let unreadable = 0;
  let seen = 0;
  let pids: string[];
  try {
    pids = readdirSync(proc).filter((d) => /^\d+$/.test(d));
  } catch {
    return { byInode, unreadable: 0 };
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`${proc}/${pid}/fd`);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') unreadable++; // (ENOENT: it exited meanwhile)
      continue;
    }
    let command = '?';
    try {
      command = readFileSync(`${proc}/${pid}/comm`, 'utf8').trim();
    } catch {
      /* it exited */
    }
    for (const fd of fds) {
      if (++seen > MAX_FDS) return { byInode, unreadable };
      let target: string;
      try {
        target = readlinkSync(`${proc}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && !byInode.has(Number(m[1]))) byInode.set(Number(m[1]), { pid: Number(pid), command });
    }
  }
  return { byInode, unreadable };
}
