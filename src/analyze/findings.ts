/**
 * Findings: patterns in a capture that the seed articles teach engineers to
 * look for, each with what it means in their terms and what to change.
 */
import type { Analysis } from './analyze.js';
import type { PassiveConnection } from './model/passive-connection.js';

export interface Finding {
  id: string;
  title: string;
  /** Connection ids (summary table) it was seen on. */
  connections: number[];
  /** The numbers behind it, for this capture. */
  detail: string;
  explanation: string;
  advice: string;
}

export interface FindingOptions {
  /** A peer's FIN ACKed and no FIN back for this long: the application did not close (default 5 s). */
  closeWaitMs?: number;
  /** FIN_WAIT_2 for this long: the peer never closes (default 5 s). */
  finWait2Ms?: number;
  /** Half-open connections to one listener before it looks like a SYN flood (default 5). */
  synFloodMin?: number;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`;

function timeIn(c: PassiveConnection, endIdx: number, state: string, end: number): { since: number; ms: number } | undefined {
  const p = c.ends[endIdx].path;
  for (let i = 0; i < p.length; i++) {
    if (p[i].to !== state) continue;
    // (A predicted timer expiry past the end of the capture does not count: it was still in the state then.)
    const left = Math.min(p[i + 1]?.t ?? end, end);
    return { since: p[i].t, ms: left - p[i].t };
  }
  return undefined;
}

export function findFindings(an: Analysis, opts: FindingOptions = {}): Finding[] {
  const closeWaitMs = opts.closeWaitMs ?? 5000;
  const finWait2Ms = opts.finWait2Ms ?? 5000;
  const out: Finding[] = [];
  const conns = an.connections;
  const add = (f: Omit<Finding, 'connections'>, ids: number[]) => {
    if (ids.length > 0) out.push({ ...f, connections: ids });
  };
  const list = (ids: number[]) => (ids.length > 8 ? `${ids.slice(0, 8).join(', ')} … (${ids.length})` : ids.join(', '));

  // A final ACK lost: LAST_ACK retransmits its FIN, the TIME_WAIT end ACKs it again.
  const lostAck = conns.filter((c) => c.ends.some((e, i) => c.stats[i].finRetransmissions > 0 && e.path.some((t) => t.from === 'LAST_ACK')) && c.ends.some((e) => e.path.some((t) => t.to === 'TIME_WAIT')));
  add(
    {
      id: 'lost-final-ack',
      title: 'final ACK lost: LAST_ACK retransmitted its FIN, TIME_WAIT ACKed it again',
      detail: `connections ${list(lostAck.map((c) => c.id))}`,
      explanation:
        'The side that closed first answered the peer’s FIN with the last ACK of the four-way close and went to TIME_WAIT; that ACK was lost, so the peer, still in LAST_ACK, retransmitted its FIN. This is exactly why TIME_WAIT exists: for 2MSL the closer keeps the connection so it can ACK the retransmitted FIN again (and restart its timer) instead of answering with RST.',
      advice: 'Nothing to fix in the application: TIME_WAIT did its job. If it recurs often, look at loss on the path (retransmission counters, interface errors).',
    },
    lostAck.map((c) => c.id),
  );

  // TIME_WAIT assassination (RFC 1337).
  const assassinated = conns.filter((c) => c.stats[0].rstIntoTimeWait + c.stats[1].rstIntoTimeWait > 0);
  add(
    {
      id: 'time-wait-assassination',
      title: 'RST sent into TIME_WAIT (TIME_WAIT assassination, RFC 1337)',
      detail: `connections ${list(assassinated.map((c) => c.id))}`,
      explanation:
        'A RST reached an end in TIME_WAIT. Linux by default (net.ipv4.tcp_rfc1337=0) lets that RST end TIME_WAIT early, so the 2MSL protection is gone: an old duplicate segment can now be taken by a new connection on the same 4-tuple. Usually the RST comes from the peer answering a late segment after it forgot the connection.',
      advice: 'Set net.ipv4.tcp_rfc1337=1 so TIME_WAIT ignores RSTs. Find why the peer sends RSTs after the close (an application that aborts with SO_LINGER 0, a middlebox timing out).',
    },
    assassinated.map((c) => c.id),
  );

  // SYN flood signature: many half-open connections to one listener.
  const halfOpen = new Map<string, PassiveConnection[]>();
  for (const c of conns) {
    const b = c.ends[1];
    if (b.path.some((t) => t.to === 'SYN_RCVD') && !b.path.some((t) => t.to === 'ESTABLISHED')) {
      const l = halfOpen.get(c.names[1]) ?? [];
      l.push(c);
      halfOpen.set(c.names[1], l);
    }
  }
  for (const [listener, cs] of halfOpen) {
    if (cs.length < (opts.synFloodMin ?? 5)) continue;
    const sources = new Set(cs.map((c) => c.names[0].replace(/:\d+$/, ''))).size;
    const synAckRtx = cs.reduce((n, c) => n + c.stats[1].synRetransmissions, 0);
    add(
      {
        id: 'syn-flood',
        title: `SYN flood signature on ${listener}: ${cs.length} handshakes never completed`,
        detail: `${cs.length} SYNs from ${sources} addresses got a SYN-ACK and no final ACK; ${synAckRtx} SYN-ACK retransmissions`,
        explanation:
          'Each SYN puts the listener in SYN_RCVD and costs a slot in its SYN queue until the handshake completes or the SYN-ACK retries run out (net.ipv4.tcp_synack_retries, about 63 s by default). When the third segment never comes — spoofed sources, or clients whose final ACK is lost — the queue fills and real clients are dropped. netstat shows a pile of SYN_RECV.',
        advice: 'Keep net.ipv4.tcp_syncookies=1 (cookies answer without queue state once it is full), raise net.ipv4.tcp_max_syn_backlog and the listen() backlog (capped by net.core.somaxconn), lower tcp_synack_retries; filter spoofed sources upstream. `synack doctor` shows the SYN_RECV count and ListenOverflows.',
      },
      cs.map((c) => c.id),
    );
  }

  // An application that never closes: peer's FIN ACKed, no FIN back (CLOSE_WAIT).
  const closeWait: Array<[PassiveConnection, string, number]> = [];
  for (const c of conns) {
    for (let i = 0; i < 2; i++) {
      const tw = timeIn(c, i, 'CLOSE_WAIT', an.end);
      if (tw && tw.ms >= closeWaitMs) closeWait.push([c, c.names[i], tw.ms]);
    }
  }
  add(
    {
      id: 'close-wait',
      title: 'application never closes: CLOSE_WAIT',
      detail: closeWait
        .slice(0, 8)
        .map(([c, who, ms]) => `#${c.id} ${who} ${secs(ms)} in CLOSE_WAIT`)
        .join('; '),
      explanation:
        'The peer closed first: its FIN arrived and was ACKed by the kernel, which put this end in CLOSE_WAIT. From there only the application can move on, by calling close() (which sends our FIN, LAST_ACK). A socket that stays in CLOSE_WAIT means the application read the end of stream and never closed the descriptor — a leak; piles of CLOSE_WAIT exhaust file descriptors and memory, and the kernel never times them out.',
      advice: 'Fix the application: close the socket when read() returns 0 / on the end event, in every error path too (try/finally, with-statements, connection-pool eviction). `synack doctor` shows which process and port hold CLOSE_WAIT sockets.',
    },
    closeWait.map(([c]) => c.id),
  );

  // A peer that never closes: FIN_WAIT_2 until tcp_fin_timeout.
  const finWait2: Array<[PassiveConnection, string, number, boolean]> = [];
  for (const c of conns) {
    for (let i = 0; i < 2; i++) {
      const fw = timeIn(c, i, 'FIN_WAIT_2', an.end);
      if (fw && fw.ms >= finWait2Ms) finWait2.push([c, c.names[i], fw.ms, c.ends[i].path.some((t) => t.inferred?.startsWith('orphaned'))]);
    }
  }
  add(
    {
      id: 'fin-wait-2',
      title: 'peer never closes: FIN_WAIT_2',
      detail: finWait2
        .slice(0, 8)
        .map(([c, who, ms, reaped]) => `#${c.id} ${who} ${secs(ms)} in FIN_WAIT_2${reaped ? ' (reaped by tcp_fin_timeout)' : ''}`)
        .join('; '),
      explanation:
        'This end closed first: its FIN was ACKed (FIN_WAIT_1 → FIN_WAIT_2) and it now waits for the peer’s FIN, which does not come — the peer sits in CLOSE_WAIT, its application never calls close(). An orphaned FIN_WAIT_2 (our application already closed) is dropped by Linux after net.ipv4.tcp_fin_timeout (60 s); a late FIN from the peer then gets a RST.',
      advice: 'The fix is on the peer: it must close its side. Meanwhile a lower net.ipv4.tcp_fin_timeout frees orphaned FIN_WAIT_2 sooner; a half-closed socket (shutdown(SHUT_WR), still open) is not reaped, so give the application a read timeout.',
    },
    finWait2.map(([c]) => c.id),
  );

  // RST on close / abort.
  const aborts: Array<[PassiveConnection, string, boolean]> = [];
  for (const c of conns) {
    for (let i = 0; i < 2; i++) {
      const t = c.ends[i].path.find((tr) => tr.to === 'CLOSED' && !tr.inferred && (tr.from === 'ESTABLISHED' || tr.from === 'CLOSE_WAIT'));
      if (!t || c.ends[1 - i].unresponsiveSince !== undefined) continue; // giving up on a silent peer is the keepalive/timeout story
      if (c.firstRstT[i] !== t.t) continue; // closed by a RST it received, not one it sent
      aborts.push([c, c.names[i], c.unreadAtRst[i]]);
    }
  }
  add(
    {
      id: 'rst-on-close',
      title: 'connection ended by RST instead of FIN',
      detail: aborts
        .slice(0, 8)
        .map(([c, who, unread]) => `#${c.id} ${who}${unread ? ' (peer data was the last thing it received: likely unread)' : ''}`)
        .join('; '),
      explanation:
        'Instead of the four-way close, one end sent RST from ESTABLISHED: both ends go straight to CLOSED, no TIME_WAIT, and the peer gets ECONNRESET (“connection reset by peer”), losing whatever was still in flight. Linux does this when an application calls close() with received data it never read (RFC 2525), or when it aborts on purpose (SO_LINGER with a zero timeout).',
      advice: 'Read the request/response to the end before close(), or shutdown(SHUT_WR) and drain; use SO_LINGER 0 only when you mean to throw the connection away (it avoids TIME_WAIT at the cost of a reset).',
    },
    aborts.map(([c]) => c.id),
  );

  // Connect timeouts: SYN retransmitted, never answered.
  const timeouts = conns.filter((c) => c.stats[0].synRetransmissions > 0 && c.ends[1].sndNxt === undefined);
  add(
    {
      id: 'connect-timeout',
      title: 'connect timeouts: SYNs retransmitted, never answered',
      detail: timeouts
        .slice(0, 8)
        .map((c) => {
          const t0 = c.ends[0].synTimes[0];
          return `#${c.id} ${c.names[0]} → ${c.names[1]}: SYNs at ${c.ends[0].synTimes.map((t) => `${((t - t0) / 1000).toFixed(0)}`).join(', ')} s`;
        })
        .join('; '),
      explanation:
        'The client sent a SYN (SYN_SENT) and got neither a SYN-ACK nor a RST, so it retransmitted with exponential backoff — after 1, 3, 7, 15, 31, 63 s on Linux (net.ipv4.tcp_syn_retries=6) — and gives up about 127 s in with ETIMEDOUT. Silence, not a RST: a firewall dropping the SYN, a host that is down, or a full SYN queue without syncookies.',
      advice: 'Check reachability and firewalls between the two (a closed port answers RST at once; a drop looks like this). Set a connect timeout in the application rather than waiting 127 s; lower net.ipv4.tcp_syn_retries for a faster failure.',
    },
    timeouts.map((c) => c.id),
  );

  // Refused connections.
  const refused = conns.filter((c) => c.ends[0].path.some((t) => t.from === 'SYN_SENT' && t.to === 'CLOSED') && c.stats[1].resets > 0);
  add(
    {
      id: 'connection-refused',
      title: 'connections refused: SYN answered by RST',
      detail: `connections ${list(refused.map((c) => c.id))}`,
      explanation: 'Nothing listens on that port (or a firewall rejects with RST): the SYN got RST,ACK and the client went SYN_SENT → CLOSED with ECONNREFUSED.',
      advice: 'Check the server is up and listening on that address and port (`ss -ltn`), and any REJECT rules.',
    },
    refused.map((c) => c.id),
  );

  // Zero-window stalls and persist probes.
  const zw = conns.filter((c) => c.stats[0].zeroWindows + c.stats[1].zeroWindows > 0);
  add(
    {
      id: 'zero-window',
      title: 'zero-window stalls',
      detail: zw
        .slice(0, 8)
        .map((c) => `#${c.id}: ${c.stats[0].zeroWindows + c.stats[1].zeroWindows} zero windows, ${c.stats[0].zeroWindowProbes + c.stats[1].zeroWindowProbes} persist probes`)
        .join('; '),
      explanation:
        'A receiver advertised a window of 0: its receive buffer was full because the application was not reading. The sender must stop and probes with the persist timer (backing off) until the window opens again. The network is fine; the receiving application is slow or blocked.',
      advice: 'Look at the receiving application (why it stops reading: blocked on a lock, disk, a downstream call). Bigger receive buffers (net.ipv4.tcp_rmem) only delay the stall.',
    },
    zw.map((c) => c.id),
  );

  // Keepalive probes.
  const ka = conns.filter((c) => c.stats[0].keepaliveProbes + c.stats[1].keepaliveProbes > 0);
  add(
    {
      id: 'keepalive',
      title: 'keepalive probes',
      detail: ka
        .slice(0, 8)
        .map((c) => {
          const dead = c.ends.some((e) => e.unresponsiveSince !== undefined) && c.stats[0].resets + c.stats[1].resets > 0;
          return `#${c.id}: ${c.stats[0].keepaliveProbes + c.stats[1].keepaliveProbes} probes${dead ? ', unanswered, ended by RST (keepalive timeout)' : ''}`;
        })
        .join('; '),
      explanation:
        'An idle connection with SO_KEEPALIVE: after net.ipv4.tcp_keepalive_time (7200 s) of silence the kernel sends a probe (an ACK for the byte before SND.NXT) every tcp_keepalive_intvl (75 s); after tcp_keepalive_probes (9) unanswered ones it declares the peer dead, sends RST and the application gets ETIMEDOUT.',
      advice: 'Unanswered probes mean the peer host or path is gone (or a NAT forgot the mapping). If a NAT/firewall drops idle flows sooner than 2 h, lower tcp_keepalive_time or set TCP_KEEPIDLE per socket.',
    },
    ka.map((c) => c.id),
  );

  // Retransmission storms.
  const storms = conns.filter((c) => {
    const rtx = c.stats[0].retransmissions + c.stats[1].retransmissions;
    const segs = c.stats[0].segments + c.stats[1].segments;
    return rtx >= 10 && rtx / segs >= 0.1;
  });
  add(
    {
      id: 'retransmissions',
      title: 'retransmission storm',
      detail: storms
        .slice(0, 8)
        .map((c) => {
          const rtx = c.stats[0].retransmissions + c.stats[1].retransmissions;
          const segs = c.stats[0].segments + c.stats[1].segments;
          return `#${c.id}: ${rtx} of ${segs} segments retransmitted (${((100 * rtx) / segs).toFixed(0)} %)`;
        })
        .join('; '),
      explanation:
        'More than one segment in ten was sent again: the path is losing packets (congestion, a bad link, a policer) and every loss costs a fast retransmit or, worse, an RTO of at least 200 ms during which the connection stands still and its congestion window collapses.',
      advice: 'Measure loss on the path (mtr, interface error counters, `nstat TcpRetransSegs`); check duplex/MTU mismatches and shaping. Retransmissions seen in the capture but not lost before it point to loss downstream of the capture point.',
    },
    storms.map((c) => c.id),
  );

  // Port reuse while TIME_WAIT may still hold the old incarnation.
  add(
    {
      id: 'port-reuse',
      title: '4-tuple reused while the old connection was in TIME_WAIT',
      detail: an.portReuse
        .slice(0, 8)
        .map((r) => `#${r.connection} reused #${r.previous}'s 4-tuple ${secs(r.timeWaitAge)} into ${r.endpoint}'s TIME_WAIT`)
        .join('; '),
      explanation:
        'A new SYN arrived for a 4-tuple whose previous connection was in TIME_WAIT at one end less than 2MSL (60 s) ago. Linux accepts it when the new SYN’s sequence number (or timestamp) is above the old connection’s (RFC 6191), and on the client side tcp_tw_reuse allows it; otherwise the SYN is ignored or answered with an ACK/RST. It also means the client is cycling through its ephemeral ports fast — many short connections to one destination.',
      advice: 'Reuse connections (HTTP keep-alive, connection pools) instead of opening one per request; widen net.ipv4.ip_local_port_range; net.ipv4.tcp_tw_reuse=1 lets outgoing connections reuse TIME_WAIT ports safely with timestamps. Avoid anything that disables TIME_WAIT outright.',
    },
    an.portReuse.map((r) => r.connection),
  );

  // Blind/spoofed segments (RFC 5961).
  const blind = conns.filter((c) => c.stats[0].implausibleResets + c.stats[1].implausibleResets + c.stats[0].synInSynchronized + c.stats[1].synInSynchronized > 0);
  add(
    {
      id: 'blind-segments',
      title: 'RSTs or SYNs that do not fit the connection (blind/spoofed, or a stale incarnation)',
      detail: `connections ${list(blind.map((c) => c.id))}`,
      explanation:
        'A RST whose sequence number the sender never used, or a SYN inside an established connection. Linux answers both with a challenge ACK (RFC 5961) and keeps the connection; a real peer that lost its state answers that ACK with a RST at the right sequence number.',
      advice: 'Usually harmless. Many of them from many sources are an attack; a few right after a peer rebooted are not.',
    },
    blind.map((c) => c.id),
  );
  return out;
}
