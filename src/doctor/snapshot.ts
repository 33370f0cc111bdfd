/**
 * One look at a host's TCP: every socket (state, addresses, queues, owner),
 * the counters and the sysctls — from the kernel's /proc, or from a synack
 * stack's admin endpoint (`synack serve --admin`). Both give the same shape.
 */
import { readFileSync } from 'node:fs';
import { parseProcCounters } from './proc-counters.js';
import { hostPort, parseProcNetTcp, type KernelState } from './proc-net-tcp.js';
import { socketOwners, type SocketOwner } from './processes.js';
import { readSysctls } from './sysctls.js';

export interface DoctorSocket {
  state: KernelState;
  local: string;
  remote: string;
  localPort: number;
  remoteAddr: string;
  recvQ: number;
  sendQ: number;
  retransmits: number;
  owner?: SocketOwner;
  /** No file descriptor holds it any more: its application closed it (kernel sockets only). */
  orphan?: boolean;
}

export interface Snapshot {
  source: string;
  /** ms since the epoch. */
  time: number;
  sockets: DoctorSocket[];
  /** nstat names: TcpRetransSegs, TcpExtListenOverflows … */
  counters: Record<string, number>;
  sysctls: Record<string, string>;
  /** What this look could not see, in words. */
  unseen: string[];
}

export function kernelSnapshot(proc = '/proc'): Snapshot {
  const unseen: string[] = [];
  const raw: Array<{ s: DoctorSocket; inode: number }> = [];
  for (const file of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`${proc}/net/${file}`, 'utf8');
    } catch (e) {
      unseen.push(`${proc}/net/${file}: ${(e as Error).message}`);
      continue;
    }
    const { sockets: ks, bad } = parseProcNetTcp(text);
    if (bad) unseen.push(`${bad} lines of ${proc}/net/${file} did not parse`);
    for (const k of ks) {
      const s: DoctorSocket = { state: k.state, local: hostPort(k.localAddr, k.localPort), remote: hostPort(k.remoteAddr, k.remotePort), localPort: k.localPort, remoteAddr: k.remoteAddr, recvQ: k.rxQueue, sendQ: k.txQueue, retransmits: k.retransmits };
      raw.push({ s, inode: k.inode });
    }
  }
  const owners = socketOwners(proc);
  const sockets: DoctorSocket[] = [];
  for (const { s, inode } of raw) {
    const o = inode ? owners.byInode.get(inode) : undefined;
    if (o) s.owner = o;
    if (inode === 0 && s.state !== 'TIME_WAIT' && s.state !== 'SYN_RECV') s.orphan = true;
    sockets.push(s);
  }
  if (owners.unreadable > 0) unseen.push(`the open files of ${owners.unreadable} processes (not ours; run as root to see every owner)`);
  const counters: Record<string, number> = {};
  for (const file of ['snmp', 'netstat']) {
    try {
      Object.assign(counters, parseProcCounters(readFileSync(`${proc}/net/${file}`, 'utf8')));
    } catch (e) {
      unseen.push(`${proc}/net/${file}: ${(e as Error).message}`);
    }
  }
  return { source: 'kernel (/proc/net/tcp, tcp6, snmp, netstat)', time: Date.now(), sockets, counters, sysctls: readSysctls(`${proc}/sys`), unseen };
}

const SYNACK_TO_NETSTAT: Record<string, KernelState> = {
  CLOSED: 'CLOSE',
  LISTEN: 'LISTEN',
  SYN_SENT: 'SYN_SENT',
  SYN_RCVD: 'SYN_RECV',
  ESTABLISHED: 'ESTABLISHED',
  FIN_WAIT_1: 'FIN_WAIT1',
  FIN_WAIT_2: 'FIN_WAIT2',
  CLOSE_WAIT: 'CLOSE_WAIT',
  CLOSING: 'CLOSING',
  LAST_ACK: 'LAST_ACK',
  TIME_WAIT: 'TIME_WAIT',
};
const MIB = new Set(['ActiveOpens', 'PassiveOpens', 'AttemptFails', 'EstabResets', 'CurrEstab', 'InSegs', 'OutSegs', 'RetransSegs', 'InErrs', 'InCsumErrors', 'OutRsts']);

interface AdminRow {
  state: string;
  local: string;
  remote: string;
  sendQueue: number;
  recvQueue: number;
  retransmits: number;
}

function splitHostPort(s: string): { addr: string; port: number } {
  const m = /^\[?(.*?)\]?:(\d+|\*)$/.exec(s);
  return m ? { addr: m[1], port: m[2] === '*' ? 0 : Number(m[2]) } : { addr: s, port: 0 };
}

/** A synack stack's sockets and counters from its admin endpoint (src/apps/admin.ts). */
export async function adminSnapshot(host: string, port: number, timeoutMs = 5000): Promise<Snapshot> {
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const get = async (path: string): Promise<unknown> => {
    const res = await fetch(base + path, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`${base}${path}: HTTP ${res.status}`);
    return res.json();
  };
  const [rows, stats] = (await Promise.all([get('/connections'), get('/stats')])) as [AdminRow[], Record<string, number>];
  if (!Array.isArray(rows) || typeof stats !== 'object' || stats === null) throw new Error(`${base}: not a synack admin endpoint`);
  const sockets: DoctorSocket[] = rows.map((r) => {
    const l = splitHostPort(r.local);
    const rm = splitHostPort(r.remote);
    return { state: SYNACK_TO_NETSTAT[r.state] ?? 'CLOSE', local: r.local, remote: r.remote, localPort: l.port, remoteAddr: rm.addr, recvQ: r.recvQueue, sendQ: r.sendQueue, retransmits: r.retransmits };
  });
  const counters: Record<string, number> = {};
  for (const [k, v] of Object.entries(stats)) counters[`${MIB.has(k) ? 'Tcp' : 'TcpExt'}${k}`] = v;
  return {
    source: `synack stack at ${base}`,
    time: Date.now(),
    sockets,
    counters,
    sysctls: {},
    unseen: ['owning processes (a synack stack lives in one process)', 'sysctls (a synack stack has its own settings)'],
  };
}
