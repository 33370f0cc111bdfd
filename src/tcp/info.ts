import type { TcpConfig } from './config.js';
import type { Receiver } from './receiver.js';
import type { Sender } from './sender.js';
import { seqDiff, seqGt } from './seq.js';
import type { TcpState } from './state.js';
import type { TcpVars } from './tcp-vars.js';
import type { Timers } from './timers.js';

/** Which timer is next, as `ss -o` names them. */
export type TimerName = 'on' | 'persist' | 'keepalive' | 'timewait' | 'delack' | 'fin_wait_2' | 'off';

/** Linux's congestion-avoidance states (`ss -i` / tcp_ca_state), for tracing loss recovery. */
export type CaState = 'open' | 'disorder' | 'recovery' | 'loss';

/** A snapshot for `ss`-style tables. The first block is the original shape; everything after `options` was added for `ss -ti`. */
export interface ConnectionInfo {
  state: TcpState;
  sendQueue: number; // bytes sent or queued, not acked (Linux Send-Q)
  recvQueue: number; // bytes received, not read (Linux Recv-Q)
  rto: number;
  srtt: number | undefined;
  cwnd: number;
  ssthresh: number;
  sndWnd: number;
  rcvWnd: number;
  mss: number;
  timer: TimerName;
  timerExpires: number | undefined;
  retransmits: number;
  /** `ecn`: ECN negotiated (RFC 3168); `ecnSeen`: an ECT or CE data segment arrived (as `ss -i` prints "ecn", "ecnseen"). */
  options: { wscale: [number, number] | null; sack: boolean; timestamps: boolean; ecn?: boolean; ecnSeen?: boolean };

  /** Congestion controller name ("cubic", "newreno"). */
  congestionControl: string;
  /** Loss-recovery state. */
  caState: CaState;
  /** RTT variance (RFC 6298 RTTVAR), ms. */
  rttvar: number | undefined;
  /** Smallest RTT sample seen, ms. */
  minRtt: number | undefined;
  /** Exponential backoff count of the RTO. */
  backoff: number;
  /** Delayed-ACK timeout, ms (0 when delayed ACKs are off). */
  ato: number;
  /** Our advertised MSS and the receive-side segment size estimate. */
  advMss: number;
  rcvMss: number;
  /** cwnd and ssthresh in segments of `mss`, as `ss -i` prints them. */
  cwndSegments: number;
  ssthreshSegments: number | undefined;
  /** Bytes in flight (SND.NXT − SND.UNA) and the RFC 6675 estimate of what is really in the network. */
  bytesInFlight: number;
  pipe: number;
  /** Octets SACKed by the peer and presumed lost, above SND.UNA. */
  sacked: number;
  lost: number;
  /** Duplicate ACKs counted towards fast retransmit. */
  dupAcks: number;
  bytesSent: number;
  bytesRetrans: number;
  bytesAcked: number;
  bytesReceived: number;
  segsOut: number;
  segsIn: number;
  dataSegsOut: number;
  dataSegsIn: number;
  /** Retransmitted segments over the connection's life (ss "retrans:x/total"). */
  totalRetrans: number;
  fastRetransmits: number;
  /** Retransmissions found lost again from later SACKs (and sent once more before the RTO). */
  lostRetransmits: number;
  rtoExpirations: number;
  /** Segments dropped by PAWS (RFC 7323 §5). */
  pawsDrops: number;
  /** Out-of-order bytes held for reassembly. */
  oooBytes: number;
  /** Times of the last data sent, segment received and new data acknowledged (ms on the connection's clock). */
  lastSend: number | undefined;
  lastRecv: number | undefined;
  lastAck: number | undefined;
  /** Keepalive probes sent without an answer. */
  keepaliveProbes: number;
  /** Receive buffer, bytes (ss -m "rb"): SO_RCVBUF, or as autotuning has grown it. */
  rcvBuf?: number;
  /** Send buffer, bytes (ss -m "tb"): SO_SNDBUF, or as it has grown with cwnd. */
  sndBuf?: number;
  /** Bytes the application read in the last receiver RTT measured (ss -i "rcv_space"). */
  rcvSpace?: number;
  /** Receiver-side RTT estimate, ms (ss -i "rcv_rtt"). */
  rcvRtt?: number;
}

/** The `ss` view of a compact TIME_WAIT record: no queues, no estimators, just the 2MSL timer (as `ss` shows timewait sockets). */
export function timeWaitInfo(timerExpires: number | undefined): ConnectionInfo {
  return {
    state: 'TIME_WAIT',
    sendQueue: 0,
    recvQueue: 0,
    rto: 0,
    srtt: undefined,
    cwnd: 0,
    ssthresh: 0,
    sndWnd: 0,
    rcvWnd: 0,
    mss: 0,
    timer: timerExpires === undefined ? 'off' : 'timewait',
    timerExpires,
    retransmits: 0,
    options: { wscale: null, sack: false, timestamps: false },
    congestionControl: '',
    caState: 'open',
    rttvar: undefined,
    minRtt: undefined,
    backoff: 0,
    ato: 0,
    advMss: 0,
    rcvMss: 0,
    cwndSegments: 0,
    ssthreshSegments: undefined,
    bytesInFlight: 0,
    pipe: 0,
    sacked: 0,
    lost: 0,
    dupAcks: 0,
    bytesSent: 0,
    bytesRetrans: 0,
    bytesAcked: 0,
    bytesReceived: 0,
    segsOut: 0,
    segsIn: 0,
    dataSegsOut: 0,
    dataSegsIn: 0,
    totalRetrans: 0,
    fastRetransmits: 0,
    lostRetransmits: 0,
    rtoExpirations: 0,
    pawsDrops: 0,
    oooBytes: 0,
    lastSend: undefined,
    lastRecv: undefined,
    lastAck: undefined,
    keepaliveProbes: 0,
  };
}

/** What `connectionInfo` reads of a TCB: its state, its pieces, and the state machine's own counters. */
export interface InfoSource {
  state: TcpState;
  /** The 2MSL deadline once in TIME_WAIT. */
  timeWaitExpires: number | undefined;
  v: TcpVars;
  timers: Timers;
  cfg: TcpConfig;
  rcv: Receiver;
  snd: Sender;
  segsIn: number;
  pawsDrops: number;
  lastRecv: number;
  keepaliveProbes: number;
}

/** The timer `ss -o` shows, and when it expires: the first one armed in Linux's order of precedence. */
function shownTimer(c: InfoSource): [TimerName, number | undefined] {
  const t = c.timers;
  if (c.state === 'TIME_WAIT') return ['timewait', c.timeWaitExpires];
  if (t.rtxAt !== undefined) return ['on', t.rtxAt];
  if (t.persistAt !== undefined) return ['persist', t.persistAt];
  if (t.closeAt !== undefined) return ['fin_wait_2', t.closeAt];
  if (t.keepAt !== undefined) return ['keepalive', t.keepAt];
  if (t.delackAt !== undefined && c.rcv.ackPending) return ['delack', t.delackAt];
  return ['off', undefined];
}

/**
 * A connection's snapshot for `ss`-style tables (Linux tcp_info). Reads only: loss recovery and the
 * congestion controller, where not made yet (sender.ts), show their initial values and are not made.
 */
export function connectionInfo(c: InfoSource): ConnectionInfo {
  const { v, snd, rcv, cfg } = c;
  const rec = snd.recoveryIfMade;
  const rtt = snd.rtt;
  const [timer, timerExpires] = shownTimer(c);
  const unacked = c.state === 'SYN_SENT' || c.state === 'SYN_RCVD' ? 0 : snd.sendBuf.length;
  const mss = v.sndMss;
  const cwnd = snd.cwnd();
  const ssthresh = snd.ssthreshNow;
  const flight = Math.max(0, seqDiff(v.sndNxt, v.sndUna));
  const caState = snd.caState;
  let lost = 0;
  if (cfg.rack && v.sackOk) lost = snd.rack?.lostBytes ?? 0; // RACK's marks (Recovery.rackOn)
  else if (rec !== undefined && seqGt(rec.lostEdge, v.sndUna)) lost = seqDiff(rec.lostEdge, v.sndUna) - rec.sb.sackedBelow(rec.lostEdge);
  const sacked = rec !== undefined ? rec.sb.sackedBytes : 0;
  return {
    state: c.state,
    sendQueue: unacked,
    recvQueue: rcv.recvQ.length,
    rto: rtt.rto,
    srtt: rtt.srtt,
    cwnd,
    ssthresh,
    sndWnd: v.sndWnd,
    rcvWnd: Math.max(0, seqDiff(v.rcvAdvEdge, v.rcvNxt)),
    mss,
    timer,
    timerExpires,
    retransmits: c.timers.rtxCount,
    options: {
      wscale: v.wsOk ? [v.sndScale, v.rcvScale] : null,
      sack: v.sackOk,
      timestamps: v.tsOk,
      ecn: snd.ecn.ok,
      ecnSeen: snd.ecn.seen,
    },
    congestionControl: snd.ccName,
    caState,
    rttvar: rtt.srtt === undefined ? undefined : rtt.rttvar,
    minRtt: snd.minRtt,
    backoff: rtt.backoffCount,
    ato: cfg.delayedAck ? cfg.delayedAckMs : 0,
    advMss: cfg.mss,
    rcvMss: rcv.rcvMss,
    cwndSegments: Math.floor(cwnd / mss),
    ssthreshSegments: ssthresh >= Number.MAX_SAFE_INTEGER ? undefined : Math.floor(ssthresh / mss),
    bytesInFlight: flight,
    pipe: rec !== undefined && caState === 'recovery' && v.sackOk ? rec.sackPipe() : flight - sacked,
    sacked,
    lost,
    dupAcks: rec?.dupAcks ?? 0,
    bytesSent: snd.bytesSent,
    bytesRetrans: snd.bytesRetrans,
    bytesAcked: snd.bytesAcked,
    bytesReceived: rcv.bytesReceived,
    segsOut: snd.segsOut,
    segsIn: c.segsIn,
    dataSegsOut: snd.dataSegsOut,
    dataSegsIn: rcv.dataSegsIn,
    totalRetrans: snd.totalRetrans,
    fastRetransmits: rec?.fastRetransmits ?? 0,
    lostRetransmits: rec?.lostRetransmits ?? 0,
    rtoExpirations: rec?.rtoExpirations ?? 0,
    pawsDrops: c.pawsDrops,
    oooBytes: rcv.ooo.size,
    lastSend: snd.lastSend,
    lastRecv: c.lastRecv,
    lastAck: snd.lastAck,
    keepaliveProbes: c.keepaliveProbes,
    rcvBuf: rcv.recvBufferSize,
    sndBuf: snd.sendCapacity,
    rcvSpace: rcv.autotune?.space,
    rcvRtt: rcv.autotune?.rtt || undefined,
  };
}
