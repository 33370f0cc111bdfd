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
    let part = 0; // see onesSumWords
    for (; i < stop; i += 2) part += (bytes[i]! << 8) | bytes[i + 1]!;
    sum = fold(sum + part);
  }
  if (i < end) sum += bytes[i]! << 8; // odd byte: pad with a zero byte on the right
  return fold(sum);
}

/**
 * A 32-bit view of one buffer from its start, kept while the buffer stays the
 * same: a link that delivers or builds packets in one reused buffer costs no
 * view per packet (issue 11); another buffer costs one, as before. One cache
 * per role (any range, copyOnesSum's destination, copyRangeOnesSum's source),
 * so the send path's packet buffer and the packets received in between do not
 * evict each other. With `remember`, views of other buffers are kept too, in a
 * WeakMap (they go with their buffers): the source role, whose buffers are the
 * send rings of every connection sending, in turn.
 */
class WordView {
  private buffer: ArrayBufferLike | undefined;
  private words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private readonly others: WeakMap<ArrayBufferLike, Uint32Array> | undefined;

  constructor(remember = false) {
    this.others = remember ? new WeakMap() : undefined;
  }

  /** The view of `buffer`, covering at least `words` words. */
  over(buffer: ArrayBufferLike, words: number): Uint32Array {
    if (buffer !== this.buffer || this.words.length < words) {
      let w = this.others?.get(buffer);
      if (w === undefined || w.length < words) {
        w = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
        this.others?.set(buffer, w);
      }
      this.words = w;
      this.buffer = buffer;
    }
    return this.words;
  }
}

const rangeWords = new WordView();
const copyDestination = new WordView();
const copySource = new WordView(true);

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
    // The loops add into `part`, which starts at 0 and takes only sums: a double in a register. Were they to add
    // into `sum`, which also takes fold's result, V8 may keep it as a tagged value when fold is not inlined, and
    // box it on every iteration (seen at MTU 65535: ~20 KB of heap numbers per packet received, issue 11).
    let part = 0;
    for (; i + 4 <= stop; i += 4) part += w[i]! + w[i + 1]! + w[i + 2]! + w[i + 3]!;
    for (; i < stop; i++) part += w[i]!;
    sum = fold(sum + part);
  }
  return finishWords(bytes, start, end - start, head, words, sum, initial);
}

/**
 * The end of a word sum over `bytes[start, start + length)`: `sum` is the folded sum of the `words` little-endian
 * words after the first `head` bytes; swap it back to big-endian order when they start at an even position, add
 * `initial` and the bytes outside the aligned middle (by their position in the range: even positions are high bytes).
 */
function finishWords(bytes: Uint8Array, start: number, length: number, head: number, words: number, sum: number, initial: number): number {
  if ((head & 1) === 0) sum = ((sum & 0xff) << 8) | (sum >>> 8);
  sum += initial;
  for (let k = 0; k < head; k++) sum += (k & 1) === 0 ? bytes[start + k]! << 8 : bytes[start + k]!;
  for (let k = head + (words << 2); k < length; k++) sum += (k & 1) === 0 ? bytes[start + k]! << 8 : bytes[start + k]!;
  return fold(sum);
}

/**
 * Copy `src` to `dst` at `at` and return onesSumRange(dst, at, at + src.length, initial):
 * summed while the copy is still in the cache. The copy is the engine's memcpy and the
 * sum the word loop over the copy (memcpy moves 16 or 32 bytes per instruction and the
 * copied bytes are then read from L1). For a payload that is part of a larger array,
 * copyRangeOnesSum takes its place instead of a view.
 * The destination keeps its own cached word view, so received packets summed in
 * between (other buffers) do not cost the send path a view per packet.
 */
export function copyOnesSum(src: Uint8Array, dst: Uint8Array, at: number, initial = 0): number {
  const end = at + src.length;
  dst.set(src, at);
  if (end - at < 64 || !LITTLE_ENDIAN) return onesSumBytes(dst, at, end, initial);
  return onesSumWords(dst, at, end, initial, copyDestination);
}

/**
 * copyOnesSum of `src[from, from + length)` without a view of that range (issue 11: the
 * send path's payload is a range of the connection's send ring, and a subarray per
 * segment was its largest allocation). TypedArray.set needs a source of the exact
 * extent, so the copy is a loop here: 32-bit words loaded, stored and summed in one
 * pass over word views of both buffers, kept while the buffers stay the same. On
 * 1448-byte payloads this measured faster than a subarray, set and word sum
 * (0.7 vs 1.1 µs per segment, one pinned core, Node 20). When the two ranges do not
 * share their alignment mod 4 (a send ring range that starts at an odd place) the
 * words cannot be copied as words: that case makes the view and copies as before.
 */
export function copyRangeOnesSum(src: Uint8Array, from: number, length: number, dst: Uint8Array, at: number, initial = 0): number {
  const end = at + length;
  const base = dst.byteOffset + at;
  if (length < 64 || !LITTLE_ENDIAN) {
    for (let k = 0; k < length; k++) dst[at + k] = src[from + k]!;
    return onesSumBytes(dst, at, end, initial);
  }
  if (((src.byteOffset + from - base) & 3) !== 0) {
    dst.set(src.subarray(from, from + length), at);
    return onesSumWords(dst, at, end, initial, copyDestination);
  }
  // Bytes before the first aligned word and after the last, copied one by one (and added below).
  const head = (4 - (base & 3)) & 3;
  const words = (length - head) >>> 2;
  for (let k = 0; k < head; k++) dst[at + k] = src[from + k]!;
  for (let k = head + (words << 2); k < length; k++) dst[at + k] = src[from + k]!;
  const first = (base + head) >>> 2;
  const d = copyDestination.over(dst.buffer, first + words);
  const s = copySource.over(src.buffer, ((src.byteOffset + from + head) >>> 2) + words);
  let j = (src.byteOffset + from + head) >>> 2;
  let i = first;
  const last = first + words;
  let sum = 0;
  while (i < last) {
    const stop = Math.min(last, i + (FOLD_EVERY_BYTES >>> 2));
    let part = 0; // see onesSumWords
    for (; i + 4 <= stop; i += 4, j += 4) {
      const a = s[j]!;
      const b = s[j + 1]!;
      const c = s[j + 2]!;
      const e = s[j + 3]!;
      d[i] = a;
      d[i + 1] = b;
      d[i + 2] = c;
      d[i + 3] = e;
      part += a + b + c + e;
    }
    for (; i < stop; i++, j++) {
      const a = s[j]!;
      d[i] = a;
      part += a;
    }
    sum = fold(sum + part);
  }
  return finishWords(dst, at, length, head, words, sum, initial);
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
