import { TcpOptionsRecord, type TcpOptionFields, type TcpOptions } from '../wire/tcp-options.js';
import { FIN, SYN } from '../wire/flags.js';
import { PayloadViews } from './payload-views.js';

/** The payload of a segment without data: one shared, empty array. */
export const EMPTY = new Uint8Array(0);

/**
 * A TCP segment as the Connection sees it: no ports or addresses (the stack
 * demultiplexes), `window` is the raw 16-bit header field (unscaled).
 *
 * Lifetime of a received segment (issue 11, Link contract): the stack hands
 * the Connection (and TIME_WAIT, the listener, the SYN-cookie replay) one
 * ReceivedSegment it refills for every packet, with a payload that may be a
 * view into the link's packet buffer. So a received Segment, its `options`
 * (with `ts` and the `sack` tuples) and its `payload` are valid only during
 * the call they are passed to; whatever keeps any of them past the call
 * copies it (the receive queue copies every payload octet, receive-queue.ts).
 */
export interface Segment {
  seq: number;
  ack: number;
  flags: number;
  window: number;
  options: TcpOptions;
  payload: Uint8Array;
  /** The IP ECN codepoint (RFC 3168 §5: 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE) it arrived with, or is to be sent with; absent = Not-ECT. */
  ecn?: number;
  /**
   * Received only: `payload`'s buffer is the receiver's to keep (the link gave its packet away, link.ts
   * RX_OWNED), so the receive queue may take a large payload as it is instead of copying it. Absent or
   * false: the payload is valid only during the call.
   */
  payloadOwned?: boolean;
}

/**
 * A segment the Connection wants sent. `rtx` marks a retransmission (RFC 4022 tcpRetransSegs).
 * `segmentSize`, on a TSO super-segment only (payload above it, see TcpConfig.tsoMax): the
 * payload bytes of each wire segment the link cuts it into.
 *
 * Ownership (ConnectionSink.transmit): valid only during the call. Data and ACK segments are built
 * in records the Sender reuses (out-segment.ts). The stack's sink consumes one synchronously
 * (stack.ts transmitWith writes the packet from the connection's template and keeps nothing, not
 * even the payload view); the SYN-cookie replay's and TIME_WAIT's forwarding sinks pass it on within
 * the call; a sink that keeps segments (the tests' scripted peers) keeps `copyOutSegment(seg)`.
 */
export interface OutSegment extends Segment {
  rtx?: boolean;
  segmentSize?: number;
}

/**
 * The record the stack's receive path refills for every packet (issue 11: no
 * Segment, option object or payload view per packet in steady state). See
 * Segment for the lifetime: valid only during the call it is passed to.
 */
export class ReceivedSegment implements Segment {
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  ecn = 0;
  payload: Uint8Array = EMPTY;
  payloadOwned = false;
  readonly options = new TcpOptionsRecord();
  /** Copies of short payloads (≤ SMALL_PAYLOAD octets) land here, seen through `smallViews[length]`. */
  private readonly small = new Uint8Array(SMALL_PAYLOAD);
  private readonly smallViews: Array<Uint8Array | undefined> = [];
  /** Views of long payloads, by their place in the link's buffer. */
  private readonly views = new PayloadViews();

  /** Refill the header fields and options. */
  fill(seq: number, ack: number, flags: number, window: number, ecn: number, options: TcpOptionFields): this {
    this.seq = seq;
    this.ack = ack;
    this.flags = flags;
    this.window = window;
    this.ecn = ecn;
    this.options.fill(options);
    return this;
  }

  /**
   * The payload is `packet[start..end)`. Nothing is allocated for an empty payload, for a short one
   * (copied into this record's own bytes: a short packet may live inside V8's heap, and a view of it
   * would make V8 move it out to an ArrayBuffer of its own first, ~1 µs), nor for a long one at a place of
   * a buffer where an earlier payload of the same length lay (a link that delivers from reused buffers):
   * that view is reused (PayloadViews). Any other long payload costs one view. `owned`: the packet is the receiver's to
   * keep (RX_OWNED), so a long payload is too (a short one is copied into this record, which is not).
   */
  setPayload(packet: Uint8Array, start: number, end: number, owned = false): void {
    const length = end - start;
    this.payloadOwned = owned && length > SMALL_PAYLOAD;
    if (length === 0) {
      this.payload = EMPTY;
    } else if (length <= SMALL_PAYLOAD) {
      const small = this.small;
      for (let i = 0; i < length; i++) small[i] = packet[start + i]!;
      this.payload = this.smallViews[length] ?? (this.smallViews[length] = small.subarray(0, length));
    } else {
      // A packet the receiver keeps is in a buffer of its own: a view of its own. Else the link's buffer is
      // reused (a pool, a ring), and so is the view of each place in it (payload-views.ts).
      this.payload = owned ? packet.subarray(start, end) : this.views.view(packet, start, length);
    }
  }
}

/** Payloads of at most this many octets are copied into the ReceivedSegment, not viewed. */
export const SMALL_PAYLOAD = 64;


/** SEG.LEN: payload octets plus one for SYN and one for FIN (RFC 9293 §3.4). */
export function segLen(seg: Segment): number {
  return seg.payload.length + (seg.flags & SYN ? 1 : 0) + (seg.flags & FIN ? 1 : 0);
}

