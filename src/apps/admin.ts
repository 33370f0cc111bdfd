/**
 * The admin endpoint of `synack serve --admin HOST:PORT`: a small HTTP server
 * on the host's own network (not through synack) that shows the stack.
 *   GET /connections → JSON array, one object per socket (ss -tan's view)
 *   GET /stats       → JSON counters named as RFC 4022 / nstat
 *   GET /link        → JSON counters of the link (TunLink.stats(): packets per
 *                      wake-up, TSO/GSO packets…), when the caller gave them
 */
import { createServer, type Server } from 'node:http';
import type { SsInfo } from '../observe/ss-table.js';
import type { SocketRow, Stack } from '../stack/stack.js';
import type { ConnectionInfo } from '../tcp/info.js';

/**
 * One socket as /connections sends it: a SocketRow without its id, null
 * (JSON) for no timer, and `info` (what `ss -i` shows; absent for listeners
 * and TIME_WAIT entries, which keep no such state).
 */
export type ConnectionJson = Omit<SocketRow, 'id' | 'timerExpiresIn' | 'info'> & { timerExpiresIn: number | null; info?: SsInfo };

export function connectionsJson(stack: Stack): ConnectionJson[] {
  const now = stack.clock.now();
  return stack.connections().map((r) => {
    const row: ConnectionJson = {
      state: r.state,
      local: r.local,
      remote: r.remote,
      sendQueue: r.sendQueue,
      recvQueue: r.recvQueue,
      rto: r.rto,
      cwnd: r.cwnd,
      timer: r.timer,
      timerExpiresIn: r.timerExpiresIn ?? null,
      retransmits: r.retransmits,
    };
    if (r.orphan) row.orphan = true;
    if (r.info && r.state !== 'TIME_WAIT') row.info = ssInfo(r.info, now);
    return row;
  });
}

/** The `ss -i` view of a connection's snapshot; times become "ms ago". */
export function ssInfo(i: ConnectionInfo, now: number): SsInfo {
  const ago = (t: number | undefined): number | undefined => (t === undefined ? undefined : Math.max(0, now - t));
  const info: SsInfo = {
    rto: i.rto,
    srtt: i.srtt,
    rttvar: i.rttvar,
    minRtt: i.minRtt,
    backoff: i.backoff,
    ato: i.ato,
    mss: i.mss,
    rcvMss: i.rcvMss,
    advMss: i.advMss,
    cwndSegments: i.cwndSegments,
    ssthreshSegments: i.ssthreshSegments,
    cwnd: i.cwnd,
    sndWnd: i.sndWnd,
    rcvWnd: i.rcvWnd,
    congestionControl: i.congestionControl,
    options: i.options,
    bytesSent: i.bytesSent,
    bytesRetrans: i.bytesRetrans,
    bytesAcked: i.bytesAcked,
    bytesReceived: i.bytesReceived,
    segsOut: i.segsOut,
    segsIn: i.segsIn,
    dataSegsOut: i.dataSegsOut,
    dataSegsIn: i.dataSegsIn,
    bytesInFlight: i.bytesInFlight,
    retransmits: i.retransmits,
    totalRetrans: i.totalRetrans,
    lost: i.lost,
    sacked: i.sacked,
  };
  const snd = ago(i.lastSend);
  const rcv = ago(i.lastRecv);
  const ack = ago(i.lastAck);
  if (snd !== undefined) info.lastSendAgo = snd;
  if (rcv !== undefined) info.lastRecvAgo = rcv;
  if (ack !== undefined) info.lastAckAgo = ack;
  return info;
}

/** Start the admin server; resolves once it listens. `linkStats`, if given, answers GET /link. */
export function startAdmin(stack: Stack, host: string, port: number, linkStats?: () => object): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let body: unknown;
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'text/plain' }).end('only GET\n');
      return;
    }
    if (path === '/connections') body = connectionsJson(stack);
    else if (path === '/stats') body = stack.stats();
    else if (path === '/link' && linkStats) body = linkStats();
    else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`try /connections or /stats${linkStats ? ' or /link' : ''}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body, null, 2) + '\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
