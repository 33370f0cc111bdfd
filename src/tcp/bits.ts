/**
 * One-bit flags packed into a small integer field (a field costs 8 B per connection; see tcp-vars.ts):
 * `bits` with `mask` set when `on`, cleared when not.
 */
export function withBit(bits: number, mask: number, on: boolean): number {
  return on ? bits | mask : bits & ~mask;
}
