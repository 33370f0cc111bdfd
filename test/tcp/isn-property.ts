/**
 * The ISN property (issue 10 #0): connections opened with random ISNs on both
 * sides each complete an exchange. `npm test` runs a modest count; the fuzz
 * run imports `isnExchangeProperty` and runs 10^5 and more.
 */
import fc from 'fast-check';
import type { TcpConfig } from '../../src/tcp/config.js';
import { openExchange } from './conn-pair.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** Uniform ISNs rarely land next to a boundary: mix in values within 2^17 of 0, 2^31 and 2^32. */
const isn = fc.oneof(
  u32,
  fc.tuple(fc.constantFrom(0, 2 ** 31, 2 ** 32), fc.integer({ min: -(2 ** 17), max: 2 ** 17 })).map(([b, d]) => (b + d) >>> 0),
);

const options = fc.record({
  windowScaling: fc.boolean(),
  sack: fc.boolean(),
  timestamps: fc.boolean(),
  recvBufferSize: fc.constantFrom(4096, 65535, 65536, 262144, 1 << 20),
});

export function isnExchangeProperty(): fc.IPropertyWithHooks<[number, number, Partial<TcpConfig>]> {
  return fc.property(isn, isn, options, (issA, issB, cfg) => {
    const r = openExchange(issA, issB, cfg);
    if (!r.ok) throw new Error(`ISS A=${issA} B=${issB} ${JSON.stringify(cfg)}: ${r.why}`);
  });
}
