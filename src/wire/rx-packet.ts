/**
 * A received IP+TCP packet parsed in one pass into one reusable record
 * (issue 11): numbers and offsets into the packet, no header objects, no
 * views, no option objects. The same checks, in the same order and with the
 * same error codes, as parseTcpPacket.
 */
import { getU16, getU32 } from './bytes.js';
import { pseudoHeaderSumAt } from './checksum.js';
import type { WireError } from './errors.js';
import { ipv4Error } from './ipv4.js';
import { ipv6Error } from './ipv6.js';
import { IPV6_FRAGMENT, PROTO_TCP } from './packet.js';
import { tcpHeaderError } from './tcp.js';
import { scanTcpOptions, TcpOptionFields } from './tcp-options.js';

/** One received TCP packet's fields. Valid until the next readTcpPacketInto into the same record. */
export class RxPacket {
  /** 4 or 16: the size of the addresses. */
  addressSize = 4;
  /** Offsets of the source and destination addresses in the packet. */
  srcAt = 0;
  dstAt = 0;
  /** The IP ECN codepoint (low 2 bits of the IPv4 TOS / IPv6 Traffic Class, ecn.ts). */
  ecn = 0;
  srcPort = 0;
  dstPort = 0;
  /** Unsigned 32-bit. */
  seq = 0;
  /** Unsigned 32-bit. */
  ack = 0;
  /** Low 8 control bits (flags.ts). */
  flags = 0;
  /** The raw 16-bit window field. */
  window = 0;
  /** The segment's data: packet[payloadStart .. payloadEnd). */
  payloadStart = 0;
  payloadEnd = 0;
  readonly options = new TcpOptionFields();
}

/**
 * Parse `bytes` into `rx`: undefined when it is one whole, sound TCP
 * segment, else why not (as parseTcpPacket: IP errors, 'ip-fragment',
 * 'not-tcp', then the TCP checks, the checksum verified over the
 * pseudo-header unless `verifyChecksum` is false). Never throws, allocates
 * nothing; on an error `rx` holds partial garbage.
 */
export function readTcpPacketInto(bytes: Uint8Array, rx: RxPacket, verifyChecksum = true): WireError | undefined {
  if (bytes.length === 0) return 'short-packet';
  let start: number;
  let end: number;
  switch (bytes[0]! >>> 4) {
    case 4: {
      const error = ipv4Error(bytes);
      if (error !== undefined) return error;
      if ((getU16(bytes, 6) & 0x3fff) !== 0) return 'ip-fragment'; // MF set or a fragment offset
      if (bytes[9] !== PROTO_TCP) return 'not-tcp';
      start = (bytes[0]! & 0x0f) * 4;
      end = getU16(bytes, 2);
      rx.addressSize = 4;
      rx.srcAt = 12;
      rx.dstAt = 16;
      rx.ecn = bytes[1]! & 0b11;
      break;
    }
    case 6: {
      const error = ipv6Error(bytes);
      if (error !== undefined) return error;
      if (bytes[6] === IPV6_FRAGMENT) return 'ip-fragment';
      if (bytes[6] !== PROTO_TCP) return 'not-tcp';
      start = 40;
      end = 40 + getU16(bytes, 4);
      rx.addressSize = 16;
      rx.srcAt = 8;
      rx.dstAt = 24;
      rx.ecn = (bytes[1]! >>> 4) & 0b11; // the low 2 bits of the Traffic Class
      break;
    }
    default:
      return 'bad-ip-version';
  }
  const pseudo = verifyChecksum ? pseudoHeaderSumAt(bytes, rx.srcAt, bytes, rx.dstAt, rx.addressSize, PROTO_TCP, end - start) : undefined;
  const error = tcpHeaderError(bytes, start, end, pseudo);
  if (error !== undefined) return error;
  const dataStart = start + (bytes[start + 12]! >>> 4) * 4;
  const optionsError = scanTcpOptions(bytes, start + 20, dataStart, rx.options);
  if (optionsError !== undefined) return optionsError;
  rx.srcPort = getU16(bytes, start);
  rx.dstPort = getU16(bytes, start + 2);
  rx.seq = getU32(bytes, start + 4);
  rx.ack = getU32(bytes, start + 8);
  rx.flags = bytes[start + 13]!; // the former NS bit (low bit of byte 12) is ignored, as readTcp
  rx.window = getU16(bytes, start + 14);
  rx.payloadStart = dataStart;
  rx.payloadEnd = end;
  return undefined;
}

/** Whether the `size` bytes at `bytes[at]` are `address` (an address in a received packet, compared in place). */
export function addressIs(bytes: Uint8Array, at: number, size: number, address: Uint8Array): boolean {
  if (address.length !== size) return false;
  for (let i = 0; i < size; i++) if (bytes[at + i] !== address[i]) return false;
  return true;
}
