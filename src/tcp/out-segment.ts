import type { TcpOptions } from '../wire/tcp-options.js';
import { EMPTY, type OutSegment } from './segment.js';

/**
 * The data and ACK segments a Sender hands to its sink, reused: no OutSegment,
 * options or timestamp object per segment sent. ConnectionSink.transmit's
 * contract (events.ts): the segment, its options and its payload view are
 * valid only during the call; a sink that keeps one keeps `copyOutSegment`.
 *
 * One record per transmit nesting depth, shared by every connection in the
 * process: a sink's link may deliver a packet within `transmit`, and the
 * connection it reaches may send in turn (one level deeper) while the outer
 * record is still being read. The Sender counts the depth around each
 * transmit (sender.ts), and builds into the record of the depth it is at.
 */
export class OutRecord implements OutSegment {
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  /**
   * The payload by place (issue 11: no view of the send ring per segment): `payloadLength` octets of
   * `payloadBytes` from `payloadAt`. The stack writes it from there (TcpTemplate.writeFrom); `payload`
   * makes the view only for a reader that asks for it (traces, tests' copies).
   */
  payloadBytes: Uint8Array = EMPTY;
  payloadAt = 0;
  payloadLength = 0;
  private view: Uint8Array | undefined = undefined;
  ecn: number | undefined = undefined;
  rtx: boolean | undefined = undefined;
  segmentSize: number | undefined = undefined;
  /** Only `ts` and `sack` are ever set on a data or ACK segment (the handshake builds its own). */
  readonly options: TcpOptions = { ts: undefined, sack: undefined };
  /** The timestamp option's value pair, pointed at by `options.ts` when timestamps are on. */
  readonly tsPair = { val: 0, ecr: 0 };

  get payload(): Uint8Array {
    return (this.view ??= this.payloadLength === this.payloadBytes.length ? this.payloadBytes : this.payloadBytes.subarray(this.payloadAt, this.payloadAt + this.payloadLength));
  }

  /** Set the payload: `length` octets of `bytes` from `at` (`bytes` itself when it is all of them). */
  setPayload(bytes: Uint8Array, at: number, length: number): void {
    this.payloadBytes = bytes;
    this.payloadAt = at;
    this.payloadLength = length;
    this.view = undefined;
  }
}

const records: OutRecord[] = [];
let depth = 0;

/** The record to build the next segment in, at the current depth. */
export function outRecord(): OutRecord {
  return (records[depth] ??= new OutRecord());
}

/** Run a sink's transmit one level deeper: segments built within it take the next record. */
export function enterTransmit(): void {
  depth++;
}

export function leaveTransmit(): void {
  depth--;
}

/**
 * A copy of `seg` that stays valid after the transmit call: fields left
 * undefined are left out (as on a segment built fresh), the options and their
 * SACK blocks are copied; the payload view is kept (it is the send buffer's).
 */
export function copyOutSegment(seg: OutSegment): OutSegment {
  const o = seg.options;
  const options: TcpOptions = {};
  if (o.mss !== undefined) options.mss = o.mss;
  if (o.wscale !== undefined) options.wscale = o.wscale;
  if (o.sackPermitted !== undefined) options.sackPermitted = o.sackPermitted;
  if (o.sack !== undefined) options.sack = o.sack.map(([l, r]) => [l, r]);
  if (o.ts !== undefined) options.ts = { val: o.ts.val, ecr: o.ts.ecr };
  const copy: OutSegment = { seq: seg.seq, ack: seg.ack, flags: seg.flags, window: seg.window, options, payload: seg.payload };
  if (seg.ecn !== undefined) copy.ecn = seg.ecn;
  if (seg.rtx !== undefined) copy.rtx = seg.rtx;
  if (seg.segmentSize !== undefined) copy.segmentSize = seg.segmentSize;
  return copy;
}
