/**
 * The stack's MIB counters as Linux's tools print them: `nstat -a` (one
 * "TcpActiveOpens   3   0.0" line per counter, Tcp and TcpExt prefixes)
 * and `netstat -s` (the Tcp: block with net-tools' sentences, then TcpExt:
 * with the non-zero counters). Pure: numbers in, text out.
 */
import { ICMP_KEYS, IPEXT_KEYS, SYNACK_KEYS, TCPEXT_KEYS, TCP_KEYS } from '../stack/stats.js';

/** Every counter under the name nstat gives it ("TcpActiveOpens", "TcpExtListenDrops"); synack-only ones get "Synack". */
export function nstatNames(stats: Readonly<Record<string, number>>): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const k of TCP_KEYS) if (k in stats) out.push([`Tcp${k}`, stats[k]!]);
  for (const k of TCPEXT_KEYS) if (k in stats) out.push([`TcpExt${k}`, stats[k]!]);
  for (const k of IPEXT_KEYS) if (k in stats) out.push([`IpExt${k}`, stats[k]!]);
  for (const k of ICMP_KEYS) if (k in stats) out.push([k, stats[k]!]);
  for (const k of SYNACK_KEYS) if (k in stats) out.push([`Synack${k}`, stats[k]!]);
  return out;
}

/**
 * `nstat -a` layout: "#kernel", then name (32 columns), value (16), rate.
 * Zeros are left out unless `zeros` (nstat -z); `only` keeps the names that
 * match one of the patterns (nstat's arguments; shell-style * allowed).
 */
export function renderNstat(stats: Readonly<Record<string, number>>, opts: { zeros?: boolean; only?: readonly string[] } = {}): string {
  const patterns = (opts.only ?? []).map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
  const lines = ['#kernel'];
  for (const [name, v] of nstatNames(stats)) {
    if (patterns.length > 0 ? !patterns.some((re) => re.test(name)) : v === 0 && !opts.zeros) continue;
    lines.push(`${name.padEnd(32)}${String(v).padEnd(16)}${'0.0'.padStart(6)}`);
  }
  return lines.join('\n');
}

/** net-tools' sentences for the counters it knows (statistics.c); others print as "Name: value". */
const TCP_SENTENCES: Record<string, string> = {
  ActiveOpens: '%d active connection openings',
  PassiveOpens: '%d passive connection openings',
  AttemptFails: '%d failed connection attempts',
  EstabResets: '%d connection resets received',
  CurrEstab: '%d connections established',
  InSegs: '%d segments received',
  OutSegs: '%d segments sent out',
  RetransSegs: '%d segments retransmitted',
  InErrs: '%d bad segments received',
  OutRsts: '%d resets sent',
};
const TCPEXT_SENTENCES: Record<string, string> = {
  SyncookiesSent: '%d SYN cookies sent',
  SyncookiesRecv: '%d SYN cookies received',
  SyncookiesFailed: '%d invalid SYN cookies received',
  PAWSEstab: '%d packets rejected in established connections because of timestamp',
  ListenOverflows: '%d times the listen queue of a socket overflowed',
  ListenDrops: '%d SYNs to LISTEN sockets dropped',
  TCPRenoRecovery: '%d times recovered from packet loss due to fast retransmit',
  TCPSackRecovery: '%d times recovered from packet loss by selective acknowledgements',
  TCPSACKReorder: 'Detected reordering %d times using SACK',
  TCPFastRetrans: '%d fast retransmits',
  TCPTimeouts: '%d other TCP timeouts',
  TCPAbortOnData: '%d connections reset due to unexpected data',
  TCPAbortOnClose: '%d connections reset due to early user close',
  TCPAbortOnTimeout: '%d connections aborted due to timeout',
  TCPAbortOnLinger: '%d connections aborted after user close in linger timeout',
  TCPAbortOnMemory: '%d connections aborted due to memory pressure',
};

/** `netstat -s`, TCP part: every Tcp counter, then the TcpExt counters that are not zero (as netstat does). */
export function renderNetstatS(stats: Readonly<Record<string, number>>): string {
  const lines = ['Tcp:'];
  for (const k of TCP_KEYS) {
    if (!(k in stats)) continue;
    const sentence = TCP_SENTENCES[k];
    lines.push(`    ${sentence ? sentence.replace('%d', String(stats[k])) : `${k}: ${stats[k]}`}`);
  }
  lines.push('TcpExt:');
  for (const k of [...TCPEXT_KEYS, ...SYNACK_KEYS]) {
    const v = stats[k];
    if (v === undefined || v === 0) continue;
    const sentence = TCPEXT_SENTENCES[k];
    lines.push(`    ${sentence ? sentence.replace('%d', String(v)) : `${k}: ${v}`}`);
  }
  return lines.join('\n');
}
