/** Text output of `synack doctor`. */
import type { DoctorFinding } from './diagnose.js';
import type { KernelState } from './proc-net-tcp.js';
import type { Snapshot } from './snapshot.js';
import { wrap } from '../analyze/text.js';

const KEY_COUNTERS = ['TcpActiveOpens', 'TcpPassiveOpens', 'TcpCurrEstab', 'TcpRetransSegs', 'TcpOutSegs', 'TcpOutRsts', 'TcpExtListenOverflows', 'TcpExtListenDrops', 'TcpExtSyncookiesSent', 'TcpExtTCPTimeWaitOverflow', 'TcpExtTCPAbortOnData', 'TcpExtTCPAbortOnClose'];

export function renderDoctor(snap: Snapshot, counts: Array<[KernelState, number]>, findings: readonly DoctorFinding[], prev: Snapshot | undefined, width = 100): string {
  const out: string[] = [];
  out.push(`${snap.source}, ${new Date(snap.time).toISOString()}`);
  out.push('');
  out.push(`TCP sockets by state (what netstat -n | awk '/^tcp/ {++S[$NF]} END {for (a in S) print a, S[a]}' counts; LISTEN included):`);
  const before = prev ? new Map(prev.sockets.reduce((m, s) => m.set(s.state, (m.get(s.state) ?? 0) + 1), new Map<string, number>())) : undefined;
  for (const [state, n] of counts) {
    const d = before ? n - (before.get(state) ?? 0) : undefined;
    out.push(`  ${state.padEnd(12)} ${String(n).padStart(7)}${d !== undefined && d !== 0 ? `  (${d > 0 ? '+' : ''}${d})` : ''}`);
  }
  if (counts.length === 0) out.push('  (no TCP sockets)');
  out.push('');
  if (findings.length === 0) out.push('No findings: no state is piling up, listen queues are drained, retransmissions are low.');
  for (const f of findings) {
    out.push(`● ${f.title}`);
    for (const d of f.detail) out.push(wrap(d, width, '    - ').replace(/\n {4}- /g, '\n      '));
    out.push(wrap(f.explanation, width, '    '), wrap(`What to change: ${f.advice}`, width, '    '), '');
  }
  const sys = Object.entries(snap.sysctls);
  if (sys.length) out.push(wrap(`Settings: ${sys.map(([k, v]) => `${k.replace(/^net\.(ipv4|core)\./, '')}=${v}`).join(', ')}`, width, ''));
  const ctr = KEY_COUNTERS.filter((k) => snap.counters[k] !== undefined).map((k) => {
    const d = prev?.counters[k] !== undefined ? snap.counters[k] - prev.counters[k] : undefined;
    return `${k}=${snap.counters[k]}${d ? ` (+${d})` : ''}`;
  });
  if (ctr.length) out.push(wrap(`Counters: ${ctr.join(', ')}`, width, ''));
  if (snap.unseen.length) out.push(wrap(`Could not see: ${snap.unseen.join('; ')}.`, width, ''));
  return out.join('\n');
}
