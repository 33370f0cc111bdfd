/**
 * From a snapshot (and the previous one, with --watch) to the per-state
 * count and the findings, explained the way the seed articles explain them.
 */
import type { KernelState } from './proc-net-tcp.js';
import type { DoctorSocket, Snapshot } from './snapshot.js';

export interface DoctorFinding {
  id: string;
  title: string;
  count: number;
  /** The numbers for this host: groups, arithmetic, settings. */
  detail: string[];
  explanation: string;
  advice: string;
}

export interface DiagnoseOptions {
  /** Sockets in one state before it is a pile (default: CLOSE_WAIT/FIN_WAIT2/SYN_RECV 10, TIME_WAIT 100). */
  min?: number;
}

/** Count per state, largest first: what `netstat -n | awk '/^tcp/ {++S[$NF]} …'` prints. */
export function stateCounts(sockets: readonly DoctorSocket[]): Array<[KernelState, number]> {
  const m = new Map<KernelState, number>();
  for (const s of sockets) m.set(s.state, (m.get(s.state) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Array<[string, T[]]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const l = m.get(k);
    if (l) l.push(i);
    else m.set(k, [i]);
  }
  return [...m].sort((a, b) => b[1].length - a[1].length);
}

const owner = (s: DoctorSocket) => (s.owner ? `${s.owner.command}[${s.owner.pid}]` : s.orphan ? 'orphaned: its application closed it' : 'owner not visible');

/** A counter, or its increase since `prev` when there is one. */
function counter(snap: Snapshot, prev: Snapshot | undefined, name: string): { value: number; text: string } | undefined {
  const v = snap.counters[name];
  if (v === undefined) return undefined;
  if (prev && prev.counters[name] !== undefined) {
    const d = v - prev.counters[name];
    return { value: d, text: `${name} +${d} in ${((snap.time - prev.time) / 1000).toFixed(0)} s` };
  }
  return { value: v, text: `${name} ${v} since boot` };
}

export function diagnose(snap: Snapshot, prev?: Snapshot, opts: DiagnoseOptions = {}): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  const by = (st: KernelState) => snap.sockets.filter((s) => s.state === st);
  const listening = new Set(by('LISTEN').map((s) => s.localPort));
  const sys = snap.sysctls;

  const cw = by('CLOSE_WAIT');
  if (cw.length >= (opts.min ?? 10)) {
    out.push({
      id: 'close-wait',
      title: `${cw.length} sockets in CLOSE_WAIT: an application does not call close()`,
      count: cw.length,
      detail: groupBy(cw, (s) => `${owner(s)} local port ${s.localPort}`)
        .slice(0, 10)
        .map(([k, l]) => `${k}: ${l.length}`),
      explanation:
        'CLOSE_WAIT means the peer closed first: its FIN arrived and the kernel ACKed it. The socket now waits for its own application to call close() — nothing else moves it on, and the kernel never times it out. A pile of them is a descriptor leak in the program named above: it read the end of stream (read() returned 0) and kept the socket.',
      advice: 'Fix the application: close the socket when the peer has closed, on every path (errors and timeouts included; try/finally, pools that evict dead connections). Restarting the process clears the pile but not the bug.',
    });
  }

  const tw = by('TIME_WAIT');
  if (tw.length >= (opts.min ?? 100)) {
    const serverSide = tw.filter((s) => listening.has(s.localPort));
    const clientSide = tw.filter((s) => !listening.has(s.localPort));
    const detail = [`${serverSide.length} on listening ports (this host's servers closed first), ${clientSide.length} on ephemeral ports (this host's clients closed first)`];
    const range = (sys['net.ipv4.ip_local_port_range'] ?? '32768 60999').split(' ').map(Number);
    const ports = range[1] - range[0] + 1;
    for (const [dest, l] of groupBy(clientSide, (s) => `${s.local.replace(/:\d+$/, '')} → ${s.remote}`).slice(0, 5)) {
      const pct = ((100 * l.length) / ports).toFixed(1);
      detail.push(
        `${dest}: ${l.length} of ${ports} ephemeral ports (${range[0]}–${range[1]}) held in TIME_WAIT = ${pct} %; TIME_WAIT lasts 60 s, so this is ≥ ${(l.length / 60).toFixed(1)} new connections/s, and the range runs out at ${(ports / 60).toFixed(0)} connections/s to this one destination`,
      );
    }
    const buckets = Number(sys['net.ipv4.tcp_max_tw_buckets']);
    if (buckets) detail.push(`${tw.length} of net.ipv4.tcp_max_tw_buckets=${buckets} (${((100 * tw.length) / buckets).toFixed(1)} %); past it TIME_WAIT is skipped (TCPTimeWaitOverflow)`);
    if (sys['net.ipv4.tcp_tw_reuse'] !== undefined) detail.push(`net.ipv4.tcp_tw_reuse=${sys['net.ipv4.tcp_tw_reuse']}`);
    out.push({
      id: 'time-wait',
      title: `${tw.length} sockets in TIME_WAIT`,
      count: tw.length,
      detail,
      explanation:
        'Only the side that closes first gets TIME_WAIT, and keeps it for 2MSL (60 s on Linux) so a retransmitted FIN can still be ACKed and old segments cannot leak into a new connection on the same 4-tuple. Each one holds a local port toward its destination: a client that opens and closes a connection per request to the same server runs through the ephemeral port range, and connect() starts failing with EADDRNOTAVAIL.',
      advice:
        'Reuse connections (HTTP keep-alive, connection pools) so there are fewer closes; let the client close first only where it has ports to spare; net.ipv4.tcp_tw_reuse=1 (needs timestamps) lets new outgoing connections reuse TIME_WAIT ports safely; widen ip_local_port_range. SO_LINGER with timeout 0 skips TIME_WAIT by sending RST — the peer sees ECONNRESET and in-flight data is lost, so use it only when that is acceptable. tcp_tw_recycle is gone (it broke clients behind NAT).',
    });
  }

  const sr = by('SYN_RECV');
  if (sr.length >= (opts.min ?? 10)) {
    const detail = groupBy(sr, (s) => `local port ${s.localPort}`)
      .slice(0, 5)
      .map(([k, l]) => `${k}: ${l.length} half-open, from ${new Set(l.map((s) => s.remoteAddr)).size} addresses, ${l.filter((s) => s.retransmits > 0).length} with SYN-ACK retransmitted`);
    detail.push(`net.ipv4.tcp_syncookies=${sys['net.ipv4.tcp_syncookies'] ?? '?'}, tcp_max_syn_backlog=${sys['net.ipv4.tcp_max_syn_backlog'] ?? '?'}, somaxconn=${sys['net.core.somaxconn'] ?? '?'}, tcp_synack_retries=${sys['net.ipv4.tcp_synack_retries'] ?? '?'}`);
    for (const name of ['TcpExtListenOverflows', 'TcpExtListenDrops', 'TcpExtSyncookiesSent', 'TcpExtSyncookiesFailed']) {
      const c = counter(snap, prev, name);
      if (c) detail.push(c.text);
    }
    out.push({
      id: 'syn-recv',
      title: `${sr.length} half-open connections in SYN_RECV`,
      count: sr.length,
      detail,
      explanation:
        'A SYN arrived, the server answered SYN-ACK and waits for the third segment of the handshake. Many at once, from many addresses that never answer, is a SYN flood filling the SYN queue; a few with retransmitted SYN-ACKs from real clients means their final ACK is being lost. When the queue is full, Linux answers with SYN cookies (if tcp_syncookies is on) or drops new SYNs (ListenDrops).',
      advice: 'Keep tcp_syncookies=1; raise tcp_max_syn_backlog and the listen() backlog (capped by somaxconn); lower tcp_synack_retries to free slots sooner; filter spoofed traffic upstream.',
    });
  }

  const fw2 = by('FIN_WAIT2');
  if (fw2.length >= (opts.min ?? 10)) {
    out.push({
      id: 'fin-wait-2',
      title: `${fw2.length} sockets in FIN_WAIT_2: the peers do not close`,
      count: fw2.length,
      detail: [
        ...groupBy(fw2, (s) => `to ${s.remote.replace(/:\d+$/, '')} (${owner(s)})`)
          .slice(0, 5)
          .map(([k, l]) => `${k}: ${l.length}`),
        `net.ipv4.tcp_fin_timeout=${sys['net.ipv4.tcp_fin_timeout'] ?? '?'} s`,
      ],
      explanation:
        'This host closed first and the peer ACKed its FIN; now it waits for the peer’s FIN, which does not come — the peer is in CLOSE_WAIT, its application never closes. An orphaned FIN_WAIT_2 (closed by our application) is dropped after tcp_fin_timeout; one that only shut down its sending side (half-close) waits as long as the application keeps it.',
      advice: 'The bug is on the peer (it must close). Lower tcp_fin_timeout to reap orphans sooner; give half-closing applications a read timeout.',
    });
  }

  const queued = by('LISTEN').filter((s) => s.recvQ > 0);
  const overflows = counter(snap, prev, 'TcpExtListenOverflows');
  if (queued.length > 0 || (overflows && overflows.value > 0)) {
    out.push({
      id: 'listen-queue',
      title: 'listen queues not drained',
      count: queued.length,
      detail: [
        ...queued.slice(0, 10).map((s) => `${s.local} (${owner(s)}): ${s.recvQ} connections waiting in the accept queue`),
        `somaxconn=${sys['net.core.somaxconn'] ?? '?'} caps every listen() backlog`,
        ...(overflows ? [overflows.text] : []),
        ...(counter(snap, prev, 'TcpExtListenDrops') ? [counter(snap, prev, 'TcpExtListenDrops')!.text] : []),
      ],
      explanation:
        'Recv-Q on a LISTEN socket is its accept queue: handshakes the kernel completed that the application has not accept()ed yet. When it reaches the backlog, new handshakes are dropped (ListenOverflows) and clients see retransmitted SYNs or stalls. The application is not calling accept() fast enough — busy, blocked, or too few workers.',
      advice: 'Accept faster (more workers, an event loop that is not blocked); raise the listen() backlog and net.core.somaxconn for bursts.',
    });
  }

  const retrans = counter(snap, prev, 'TcpRetransSegs');
  const outSegs = counter(snap, prev, 'TcpOutSegs');
  if (retrans && outSegs && outSegs.value >= 1000 && retrans.value / outSegs.value >= 0.01) {
    out.push({
      id: 'retransmissions',
      title: `${((100 * retrans.value) / outSegs.value).toFixed(1)} % of segments retransmitted`,
      count: retrans.value,
      detail: [retrans.text, outSegs.text],
      explanation: 'More than one segment in a hundred is sent again: packets are being lost (congestion, a bad link, a policer). Each loss costs a fast retransmit or a timeout of at least 200 ms during which the connection stands still.',
      advice: 'Find where: `ss -ti` shows retransmissions per connection; `synack analyze` a capture of one; check interface errors and MTU.',
    });
  }
  return out;
}
