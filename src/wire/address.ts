/**
 * IP address text: dotted quad for IPv4, RFC 4291 §2.2 input and RFC 5952
 * canonical output for IPv6. Not on the packet path (strings are built here).
 */

/** 4 for a 4-byte address, 6 for a 16-byte one; RangeError otherwise. */
export function addressFamily(addr: Uint8Array): 4 | 6 {
  if (addr.length === 4) return 4;
  if (addr.length === 16) return 6;
  throw new RangeError(`not an IP address: ${addr.length} bytes`);
}

function dottedQuad(a: Uint8Array, at: number): string {
  return `${a[at]}.${a[at + 1]}.${a[at + 2]}.${a[at + 3]}`;
}

/**
 * 4 bytes → "a.b.c.d". 16 bytes → RFC 5952 §4 canonical text: lowercase hex,
 * no leading zeros, the longest run of two or more zero groups replaced by
 * "::" (the first such run on a tie, §4.2.3), a single zero group never
 * compressed (§4.2.2). IPv4-mapped addresses use the "::ffff:a.b.c.d" form (§5).
 * RangeError for any other length.
 */
export function formatAddress(addr: Uint8Array): string {
  if (addressFamily(addr) === 4) return dottedQuad(addr, 0);
  let mapped = addr[10] === 0xff && addr[11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (addr[i] !== 0) mapped = false;
  if (mapped) return `::ffff:${dottedQuad(addr, 12)}`;

  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((addr[i] << 8) | addr[i + 1]);
  let bestStart = -1;
  let bestLen = 1; // a run must be at least 2 groups long
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number) => g.toString(16);
  if (bestStart < 0) return groups.map(hex).join(':');
  const head = groups.slice(0, bestStart).map(hex).join(':');
  const tail = groups.slice(bestStart + bestLen).map(hex).join(':');
  return `${head}::${tail}`;
}

/** Strict dotted quad: exactly 4 decimal parts 0..255, no signs, no leading zeros (they read as octal elsewhere). */
function parseDottedQuad(text: string, out: Uint8Array, at: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let k = 0; k < 4; k++) {
    const p = parts[k];
    if (p.length === 0 || p.length > 3) return false;
    if (p.length > 1 && p.charCodeAt(0) === 0x30) return false;
    let v = 0;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i) - 0x30;
      if (c < 0 || c > 9) return false;
      v = v * 10 + c;
    }
    if (v > 255) return false;
    out[at + k] = v;
  }
  return true;
}

/** 1 to 4 hex digits → 0..0xffff, or -1. */
function parseHexGroup(g: string): number {
  if (g.length === 0 || g.length > 4) return -1;
  let v = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g.charCodeAt(i);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
    else return -1;
    v = (v << 4) | d;
  }
  return v;
}

/**
 * Parse a list of ':'-separated pieces into 16-bit groups written into
 * `words`. A dotted quad is allowed only as the final piece of the address
 * (`allowQuad`) and yields two groups. Returns the group count, or -1.
 */
function parsePieces(text: string, words: number[], allowQuad: boolean): number {
  if (text === '') return 0;
  const pieces = text.split(':');
  const quad = new Uint8Array(4);
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k];
    if (allowQuad && k === pieces.length - 1 && p.includes('.')) {
      if (!parseDottedQuad(p, quad, 0)) return -1;
      words.push((quad[0] << 8) | quad[1], (quad[2] << 8) | quad[3]);
    } else {
      const v = parseHexGroup(p);
      if (v < 0) return -1;
      words.push(v);
    }
  }
  return words.length;
}

/**
 * Text → address bytes, or null when invalid.
 * - IPv4: strict dotted quad ("10.0.0.1"), 4 bytes.
 * - IPv6 (RFC 4291 §2.2): eight 1–4 digit hex groups, or fewer with one "::"
 *   standing for one or more zero groups; the last 32 bits may be written as
 *   a dotted quad. Zone indices ("%eth0") and brackets are rejected. 16 bytes.
 */
export function parseAddress(text: string): Uint8Array | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > 45) return null;
  if (!text.includes(':')) {
    const out = new Uint8Array(4);
    return parseDottedQuad(text, out, 0) ? out : null;
  }
  const gap = text.indexOf('::');
  const head: number[] = [];
  const tail: number[] = [];
  if (gap < 0) {
    if (parsePieces(text, head, true) !== 8) return null;
  } else {
    if (text.indexOf('::', gap + 1) >= 0) return null; // at most one "::" (also rejects ":::")
    const before = text.slice(0, gap);
    const after = text.slice(gap + 2);
    if (parsePieces(before, head, false) < 0 || parsePieces(after, tail, true) < 0) return null;
    if (head.length + tail.length > 7) return null; // "::" stands for at least one group
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < head.length; i++) {
    out[2 * i] = head[i] >>> 8;
    out[2 * i + 1] = head[i] & 0xff;
  }
  const base = 8 - tail.length;
  for (let i = 0; i < tail.length; i++) {
    out[2 * (base + i)] = tail[i] >>> 8;
    out[2 * (base + i) + 1] = tail[i] & 0xff;
  }
  return out;
}
