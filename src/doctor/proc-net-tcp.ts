/**
 * The kernel's TCP sockets as /proc/net/tcp and /proc/net/tcp6 list them
 * (one namespace's view: the reader's network namespace). Pure parsing here;
 * snapshot.ts reads the files.
 *
 * Line format (net/ipv4/tcp_ipv4.c get_tcp4_sock, tcp_ipv6.c):
 *   sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
 * Addresses are the in-kernel 32-bit words printed in hex in host byte order
 * (little-endian on x86/arm64), ports in hex. For a LISTEN socket rx_queue is
 * the accept queue (ss's Recv-Q); request sockets of a listener appear as
 * SYN_RECV, TIME_WAIT sockets with uid 0 and inode 0.
 */
import { formatAddress } from '../wire/ip.js';

/** netstat's spelling, as the articles' `netstat -n | awk` prints it. Index = kernel state number. */
export const KERNEL_STATES = ['', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'SYN_RECV'] as const;

export type KernelState = Exclude<(typeof KERNEL_STATES)[number], ''>;

export interface KernelSocket {
  state: KernelState;
  localAddr: string;
  localPort: number;
  remoteAddr: string;
  remotePort: number;
  /** Send-Q (unacknowledged bytes); for LISTEN, 0. */
  txQueue: number;
  /** Recv-Q (unread bytes); for LISTEN, the accept queue length. */
  rxQueue: number;
  /** Active timer: 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe. */
  timer: number;
  /** Retransmissions of the current segment (or SYN-ACK retries for SYN_RECV). */
  retransmits: number;
  uid: number;
  inode: number;
}

function hexWordsToAddress(hex: string, littleEndian: boolean): string {
  const bytes = new Uint8Array(hex.length / 2);
  for (let w = 0; w < hex.length / 8; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let i = 0; i < 4; i++) {
      const b = parseInt(word.slice(i * 2, i * 2 + 2), 16);
      bytes[w * 4 + (littleEndian ? 3 - i : i)] = b;
    }
  }
  return formatAddress(bytes);
}

function hostIsLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** Parse the text of /proc/net/tcp or /proc/net/tcp6. Lines that do not parse are skipped and counted. */
export function parseProcNetTcp(text: string, littleEndian = hostIsLittleEndian()): { sockets: KernelSocket[]; bad: number } {
  const sockets: KernelSocket[] = [];
  let bad = 0;
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const f = line.split(/\s+/);
    const m = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{4})$/.exec(f[1] ?? '');
    const r = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{4})$/.exec(f[2] ?? '');
    const st = parseInt(f[3] ?? '', 16);
    const q = /^([0-9A-Fa-f]+):([0-9A-Fa-f]+)$/.exec(f[4] ?? '');
    const tm = /^([0-9A-Fa-f]+):/.exec(f[5] ?? '');
    if (!m || !r || !q || !tm || !(st >= 1 && st < KERNEL_STATES.length) || (m[1].length !== 8 && m[1].length !== 32)) {
      bad++;
      continue;
    }
    sockets.push({
      state: KERNEL_STATES[st] as KernelState,
      localAddr: hexWordsToAddress(m[1], littleEndian),
      localPort: parseInt(m[2], 16),
      remoteAddr: hexWordsToAddress(r[1], littleEndian),
      remotePort: parseInt(r[2], 16),
      txQueue: parseInt(q[1], 16),
      rxQueue: parseInt(q[2], 16),
      timer: parseInt(tm[1], 16),
      retransmits: parseInt(f[6] ?? '0', 16) || 0,
      uid: Number(f[7]) || 0,
      inode: Number(f[9]) || 0,
    });
  }
  return { sockets, bad };
}

/** `addr:port`, with brackets for IPv6. */
export function hostPort(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}
