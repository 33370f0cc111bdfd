/** Read a capture and follow its TCP connections: the whole of `synack analyze` short of printing. */
import type { Frame } from './capture/frame.js';
import { ipPayload, SUPPORTED_LINKTYPES } from './capture/link-layer.js';
import { readCaptureBytes, readCaptureFile, type ReadOptions, type ReadResult } from './capture/read-capture.js';
import { decodeTcp } from './capture/tcp-frame.js';
import type { ModelOptions, PassiveConnection } from './model/passive-connection.js';
import { ConnectionTracker, type PortReuse } from './tracker.js';

export interface CaptureCounts {
  frames: number;
  tcp: number;
  /** Frames that were not IP (ARP, …) or of a link type we do not read. */
  notIp: number;
  /** IP packets that were not TCP (UDP, ICMP, fragments). */
  notTcp: number;
  /** TCP segments whose payload the snaplen cut (their real length still counts). */
  truncated: number;
  /** Packets dropped for a reason, e.g. { 'bad-ip-checksum': 2 }. */
  undecodable: Record<string, number>;
  unsupportedLinkTypes: number[];
}

export interface Analysis {
  read: ReadResult;
  counts: CaptureCounts;
  connections: PassiveConnection[];
  portReuse: PortReuse[];
  /** Capture time of the first and last packet (or `until`, if later), ms since the epoch. */
  start: number;
  end: number;
}

export interface AnalyzeOptions extends ModelOptions, ReadOptions {}

function collector(opts: ModelOptions) {
  const tracker = new ConnectionTracker(opts);
  const counts: CaptureCounts = { frames: 0, tcp: 0, notIp: 0, notTcp: 0, truncated: 0, undecodable: {}, unsupportedLinkTypes: [] };
  let start = Infinity;
  let end = -Infinity;
  const onFrame = (f: Frame): void => {
    counts.frames++;
    const ip = ipPayload(f.linkType, f.data);
    if (!ip) {
      counts.notIp++;
      if (!SUPPORTED_LINKTYPES.has(f.linkType) && !counts.unsupportedLinkTypes.includes(f.linkType)) counts.unsupportedLinkTypes.push(f.linkType);
      return;
    }
    const r = decodeTcp(ip, f.timeMs);
    if (!r.ok) {
      if (r.error === 'not-tcp' || r.error === 'ip-fragment') counts.notTcp++;
      else counts.undecodable[r.error] = (counts.undecodable[r.error] ?? 0) + 1;
      return;
    }
    counts.tcp++;
    if (r.value.truncated) counts.truncated++;
    if (f.timeMs < start) start = f.timeMs;
    if (f.timeMs > end) end = f.timeMs;
    tracker.add(r.value);
  };
  const done = (read: ReadResult): Analysis => ({
    read,
    counts,
    connections: tracker.finish(),
    portReuse: tracker.portReuse,
    start: Number.isFinite(start) ? start : 0,
    end: Math.max(Number.isFinite(end) ? end : 0, opts.until ?? -Infinity),
  });
  return { onFrame, done };
}

export function analyzeFile(path: string, opts: AnalyzeOptions = {}): Analysis {
  const c = collector(opts);
  return c.done(readCaptureFile(path, c.onFrame, opts));
}

export function analyzeBytes(bytes: Uint8Array, opts: ModelOptions = {}): Analysis {
  const c = collector(opts);
  return c.done(readCaptureBytes(bytes, c.onFrame));
}
