import { LINKTYPE_RAW, PcapWriter } from '../link/pcap.js';
import type { CapturedPacket } from './world.js';

/**
 * A scenario's packets as a classic pcap file (LINKTYPE_RAW: each record is
 * the IP packet), stamped with the scenario's virtual time (the capture starts
 * at 1970-01-01 00:00:00, t = 0). Exactly the segments the event document
 * records, in the same order, dropped and spoofed ones included: a capture
 * taken where each segment entered the wire.
 */
export function scenarioPcap(packets: readonly CapturedPacket[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const writer = new PcapWriter((c) => chunks.push(c), { linkType: LINKTYPE_RAW });
  for (const p of packets) writer.write(p.bytes, p.t);
  writer.close();
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
