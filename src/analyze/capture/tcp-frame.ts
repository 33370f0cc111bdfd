/**
 * A captured IP packet → the TCP facts the analysis needs, with the wire
 * parsers of src/wire. Two differences from the stack's receive path:
 * - TCP checksums are not verified: a capture on the sending host sees
 *   checksum-offloaded segments with a partial checksum (Wireshark does not
 *   verify by default either).
 * - A packet cut by the snaplen still counts with its real length: the IP
 *   header says how long it was; as long as the TCP header itself was
 *   captured, the segment is decoded from a zero-padded copy.
 */
import { err, type ParseResult } from '../../wire/errors.js';
import { formatAddress, parseIp } from '../../wire/ip.js';
import { notWholeTcp } from '../../wire/packet.js';
import { parseTcp } from '../../wire/tcp.js';
import type { TcpOptions } from '../../wire/tcp-options.js';

export interface TcpPacket {
  timeMs: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  /** Payload length on the wire (not just what was captured). */
  len: number;
  options: TcpOptions;
  /** The snaplen cut this packet's payload. */
  truncated: boolean;
}

export type DecodeError = ReturnType<typeof err>['error'] | 'tcp-header-truncated';

let scratch = new Uint8Array(0);

function declaredLength(ip: Uint8Array): number {
  if (ip.length >= 4 && ip[0] >>> 4 === 4) return (ip[2] << 8) | ip[3];
  if (ip.length >= 6 && ip[0] >>> 4 === 6) return 40 + ((ip[4] << 8) | ip[5]);
  return 0;
}

export function decodeTcp(ipBytes: Uint8Array, timeMs: number): ParseResult<TcpPacket> | { ok: false; error: DecodeError } {
  let bytes = ipBytes;
  let truncated = false;
  const declared = declaredLength(ipBytes);
  if (declared > ipBytes.length) {
    // Cut by the snaplen: pad a private copy to the declared length so the IP parser sees the real sizes.
    if (scratch.length < declared) scratch = new Uint8Array(Math.max(declared, 65536 + 40));
    scratch.set(ipBytes, 0);
    scratch.fill(0, ipBytes.length, declared);
    bytes = scratch.subarray(0, declared);
    truncated = true;
  }
  const ipr = parseIp(bytes);
  if (!ipr.ok) return ipr;
  const ip = ipr.value;
  const notTcp = notWholeTcp(ip);
  if (notTcp !== undefined) return err(notTcp);
  const ipHeaderLength = ip.version === 4 ? ip.headerLength : 40;
  if (truncated) {
    // The TCP header must have been captured whole; its payload may not.
    if (ipBytes.length < ipHeaderLength + 20) return { ok: false, error: 'tcp-header-truncated' };
    const dataOffset = (ipBytes[ipHeaderLength + 12] >>> 4) * 4;
    if (ipBytes.length < ipHeaderLength + dataOffset) return { ok: false, error: 'tcp-header-truncated' };
  }
  const tr = parseTcp(ip.payload);
  if (!tr.ok) return tr;
  const tcp = tr.value;
  return {
    ok: true,
    value: {
      timeMs,
      src: formatAddress(ip.src),
      dst: formatAddress(ip.dst),
      srcPort: tcp.srcPort,
      dstPort: tcp.dstPort,
      seq: tcp.seq,
      ack: tcp.ack,
      flags: tcp.flags,
      window: tcp.window,
      len: tcp.payload.length,
      options: tcp.options,
      truncated,
    },
  };
}
