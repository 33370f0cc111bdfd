/**
 * The Internet checksum (RFC 1071): the 16-bit ones'-complement of the
 * ones'-complement sum of the data taken as big-endian 16-bit words, an odd
 * trailing byte padded on the right with zero.
 *
 * Because 2^16 ≡ 1 (mod 2^16 - 1), summing 32-bit big-endian words and
 * folding the carries back in at the end gives the same result as summing
 * 16-bit words (RFC 1071 §2(B) "parallel summation"), with half the loop
 * iterations.
 */

/** Every 2^20 32-bit words the accumulator is folded so it stays an exact integer (< 2^53). */
const FOLD_EVERY_BYTES = 4 << 20;

/** Fold a non-negative integer below 2^53 to a 16-bit ones'-complement value (end-around carry). */
function fold(sum: number): number {
  if (sum > 0xffffffff) sum = (sum % 0x100000000) + Math.floor(sum / 0x100000000);
  // Now sum < 2^33; two more folds bring it to 16 bits.
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

/**
 * Folded 16-bit ones'-complement partial sum of `bytes` (0..0xffff), added to
 * `initial` (another such sum). Chainable: `onesSum(b, onesSum(a))` equals the
 * sum over `a` followed by `b` as long as `a` has an even length.
 * Works for any length and any `byteOffset`.
 */
export function onesSum(bytes: Uint8Array, initial = 0): number {
  if (LITTLE_ENDIAN && (bytes.byteOffset & 3) === 0 && bytes.length >= 64) return onesSumAligned(bytes, initial);
  return onesSumPortable(bytes, initial);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The fast path: native 32-bit reads over a 4-byte-aligned view. The sum is
 * byte-order independent (RFC 1071 §2(B)): summing little-endian words gives
 * the byte-swapped sum, so swap the folded result back.
 */
function onesSumAligned(bytes: Uint8Array, initial: number): number {
  const len = bytes.length;
  const words = len >>> 2;
  const w = new Uint32Array(bytes.buffer, bytes.byteOffset, words);
  let sum = 0;
  let i = 0;
  while (i < words) {
    const stop = Math.min(words, i + (FOLD_EVERY_BYTES >>> 2));
    for (; i + 4 <= stop; i += 4) sum += w[i]! + w[i + 1]! + w[i + 2]! + w[i + 3]!;
    for (; i < stop; i++) sum += w[i]!;
    sum = fold(sum);
  }
  sum = ((sum & 0xff) << 8) | (sum >>> 8);
  let j = words << 2;
  sum += initial;
  if (len - j >= 2) {
    sum += (bytes[j]! << 8) | bytes[j + 1]!;
    j += 2;
  }
  if (j < len) sum += bytes[j]! << 8;
  return fold(sum);
}

function onesSumPortable(bytes: Uint8Array, initial: number): number {
  const len = bytes.length;
  let sum = initial;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, len);
  const end4 = len & ~3;
  let i = 0;
  while (i < end4) {
    const stop = Math.min(end4, i + FOLD_EVERY_BYTES);
    // Four words per iteration.
    for (; i + 16 <= stop; i += 16) {
      sum += dv.getUint32(i) + dv.getUint32(i + 4) + dv.getUint32(i + 8) + dv.getUint32(i + 12);
    }
    for (; i < stop; i += 4) sum += dv.getUint32(i);
    sum = fold(sum);
  }
  if (len - i >= 2) {
    sum += (bytes[i] << 8) | bytes[i + 1];
    i += 2;
  }
  if (i < len) sum += bytes[i] << 8; // odd byte: pad with a zero byte on the right
  return fold(sum);
}

/** The checksum field value for a folded sum: its ones' complement. */
export function finishChecksum(sum: number): number {
  return ~sum & 0xffff;
}

/** RFC 1071 checksum of `bytes`. Over data that includes a correct checksum field it yields 0. */
export function internetChecksum(bytes: Uint8Array): number {
  return finishChecksum(onesSum(bytes));
}

/**
 * Partial sum of the pseudo-header that TCP (and UDP) checksums cover.
 * - 4-byte addresses: IPv4 pseudo-header, RFC 9293 §3.1 — src, dst, zero,
 *   protocol, 16-bit TCP length.
 * - 16-byte addresses: IPv6 pseudo-header, RFC 8200 §8.1 — src, dst, 32-bit
 *   upper-layer packet length, 3 zero bytes, next header.
 * Both reduce to sum(src) + sum(dst) + protocol + length (split in 16-bit
 * halves), so one formula serves both.
 * `length` is the TCP header + data length. Throws RangeError on bad address
 * sizes (a programming error, not packet input).
 */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  if ((src.length !== 4 && src.length !== 16) || dst.length !== src.length) {
    throw new RangeError(`pseudoHeaderSum: addresses must both be 4 or 16 bytes (got ${src.length}, ${dst.length})`);
  }
  const len = length >>> 0;
  return fold(onesSum(src) + onesSum(dst) + (protocol & 0xff) + (len >>> 16) + (len & 0xffff));
}
