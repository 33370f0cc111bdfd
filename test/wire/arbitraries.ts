/** fast-check arbitraries shared by the wire tests (not a test file). */
import fc from 'fast-check';
import type { TcpOptions, TcpSegmentOut } from '../../src/wire/index.js';

export const u32 = fc.nat({ max: 0xffffffff });
const sackBlock = fc.tuple(u32, u32);

/** Any subset of the options we write, including 1–4 SACK blocks and 32-bit values ≥ 2^31. */
export const optionsArb: fc.Arbitrary<TcpOptions> = fc.record(
  {
    mss: fc.integer({ min: 0, max: 0xffff }),
    wscale: fc.integer({ min: 0, max: 255 }),
    sackPermitted: fc.constant(true),
    sack: fc.array(sackBlock, { minLength: 1, maxLength: 4 }),
    ts: fc.record({ val: u32, ecr: u32 }, { noNullPrototype: true }),
  },
  { requiredKeys: [], noNullPrototype: true },
);

/** Any segment: ports, full-range seq/ack, every flag combination, window, urgent, options, 0–2000 bytes. */
export const segmentArb: fc.Arbitrary<TcpSegmentOut> = fc.record(
  {
    srcPort: fc.integer({ min: 0, max: 0xffff }),
    dstPort: fc.integer({ min: 0, max: 0xffff }),
    seq: fc.oneof(u32, fc.integer({ min: 0x7fffff00, max: 0x80000100 }), fc.integer({ min: 0xffffff00, max: 0xffffffff })),
    ack: u32,
    flags: fc.integer({ min: 0, max: 0xff }),
    window: fc.integer({ min: 0, max: 0xffff }),
    urgent: fc.integer({ min: 0, max: 0xffff }),
    options: optionsArb,
    payload: fc.uint8Array({ maxLength: 2000 }),
  },
  { requiredKeys: ['srcPort', 'dstPort', 'seq', 'ack', 'flags', 'window'], noNullPrototype: true },
);

export const v4Addr = fc.uint8Array({ minLength: 4, maxLength: 4 });
export const v6Addr = fc.uint8Array({ minLength: 16, maxLength: 16 });

/** A source/destination pair of either family. */
export const addrPair = fc.oneof(fc.tuple(v4Addr, v4Addr), fc.tuple(v6Addr, v6Addr));
