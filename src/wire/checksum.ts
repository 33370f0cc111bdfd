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
  return onesSumRange(bytes, 0, bytes.length, initial);
}

/**
 * onesSum over `bytes[start..end)` without making a subarray: what the
 * header writers and parsers use on the packet buffer.
 */
export function onesSumRange(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  const len = end - start;
  // Short runs (headers, pseudo-headers, bare ACKs): plain byte reads, no typed-array view to create.
  if (len < 64 || !LITTLE_ENDIAN) return onesSumBytes(bytes, start, end, initial);
  return onesSumWords(bytes, start, end, initial);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Big-endian 16-bit words read byte by byte (an odd last byte padded with zero). Any length, any platform. */
function onesSumBytes(bytes: Uint8Array, start: number, end: number, initial: number): number {
  let sum = initial;
  let i = start;
  while (i + 1 < end) {
    const stop = Math.min(end - 1, i + FOLD_EVERY_BYTES);
    for (; i < stop; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
    sum = fold(sum);
  }
  if (i < end) sum += bytes[i]! << 8; // odd byte: pad with a zero byte on the right
  return fold(sum);
}

/**
 * A 32-bit view of one buffer from its start, kept while the buffer stays the
 * same: a link that delivers or builds packets in one reused buffer costs no
 * view per packet (issue 11); another buffer costs one, as before. One cache
 * per role (any range, and copyOnesSum's destination), so the send path's
 * packet buffer and the packets received in between do not evict each other.
 */
class WordView {
  private buffer: ArrayBufferLike | undefined;
  private words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

  /** The view of `buffer`, covering at least `words` words. */
  over(buffer: ArrayBufferLike, words: number): Uint32Array {
    if (buffer !== this.buffer || this.words.length < words) {
      this.words = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
      this.buffer = buffer;
    }
    return this.words;
  }
}

const rangeWords = new WordView();
const copyDestination = new WordView();

/**
 * The fast path (little-endian hosts): native 32-bit reads over the 4-byte
 * aligned middle of the range, the few bytes before and after it added by
 * hand. The sum is byte-order independent (RFC 1071 §2(B)): little-endian
 * words give the byte-swapped sum of the big-endian words at even positions
 * of the range, and the plain sum when the aligned middle starts at an odd
 * position (the range's words straddle the memory's), so swap back only in
 * the first case.
 */
function onesSumWords(bytes: Uint8Array, start: number, end: number, initial: number, view: WordView = rangeWords): number {
  const base = bytes.byteOffset + start;
  const head = (4 - (base & 3)) & 3;
  const words = (end - start - head) >>> 2;
  const first = (base + head) >>> 2;
  const w = view.over(bytes.buffer, first + words);
  let sum = 0;
  let i = first;
  const last = first + words;
  while (i < last) {
    const stop = Math.min(last, i + (FOLD_EVERY_BYTES >>> 2));
    for (; i + 4 <= stop; i += 4) sum += w[i]! + w[i + 1]! + w[i + 2]! + w[i + 3]!;
    for (; i < stop; i++) sum += w[i]!;
    sum = fold(sum);
  }
  if ((head & 1) === 0) sum = ((sum & 0xff) << 8) | (sum >>> 8);
  sum += initial;
  // Bytes outside the aligned middle, by their position in the range: even positions are high bytes.
  for (let k = 0; k < head; k++) sum += (k & 1) === 0 ? bytes[start + k]! << 8 : bytes[start + k]!;
  for (let k = head + (words << 2); k < end - start; k++) sum += (k & 1) === 0 ? bytes[start + k]! << 8 : bytes[start + k]!;
  return fold(sum);
}

/**
 * Copy `src` to `dst` at `at` and return onesSumRange(dst, at, at + src.length, initial):
 * the send path's one call per payload (issue 11), summed while the copy is still in
 * the cache. The copy is the engine's memcpy and the sum the word loop over the copy:
 * a fused JavaScript loop (load, store, add per 32-bit word) measured slower, 14 vs
 * 20 Gbit/s on 1448-byte payloads (one pinned core, Node 20), since memcpy moves
 * 16 or 32 bytes per instruction and the copied bytes are then read from L1.
 * The destination keeps its own cached word view, so received packets summed in
 * between (other buffers) do not cost the send path a view per packet.
 */
export function copyOnesSum(src: Uint8Array, dst: Uint8Array, at: number, initial = 0): number {
  const end = at + src.length;
  dst.set(src, at);
  if (end - at < 64 || !LITTLE_ENDIAN) return onesSumBytes(dst, at, end, initial);
  return onesSumWords(dst, at, end, initial, copyDestination);
}

/** Fold a sum of 16-bit values (non-negative, below 2^53) to 16 bits with end-around carry: what the header writers add field by field. */
export function foldSum(sum: number): number {
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
  return pseudoHeaderSumAt(src, 0, dst, 0, src.length, protocol, length);
}

/**
 * pseudoHeaderSum over addresses that sit inside buffers (a received
 * packet's own header): `size` (4 or 16) bytes at `src[srcAt]` and
 * `dst[dstAt]`. Integer arithmetic, no view; the caller vouches for the sizes.
 */
export function pseudoHeaderSumAt(src: Uint8Array, srcAt: number, dst: Uint8Array, dstAt: number, size: number, protocol: number, length: number): number {
  const len = length >>> 0;
  let sum = (protocol & 0xff) + (len >>> 16) + (len & 0xffff);
  for (let i = 0; i < size; i += 2) sum += ((src[srcAt + i]! << 8) | src[srcAt + i + 1]!) + ((dst[dstAt + i]! << 8) | dst[dstAt + i + 1]!);
  return fold(sum);
}
