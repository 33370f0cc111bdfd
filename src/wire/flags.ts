/**
 * TCP header control bits (RFC 9293 §3.1) as a bit mask, and their textual
 * form. The text form is a comma list in the fixed order
 * SYN,FIN,RST,PSH,ACK,URG — the order every synack output uses.
 */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;

const ORDER: ReadonlyArray<readonly [number, string]> = [
  [SYN, 'SYN'],
  [FIN, 'FIN'],
  [RST, 'RST'],
  [PSH, 'PSH'],
  [ACK, 'ACK'],
  [URG, 'URG'],
];

/** `SYN|ACK` → `"SYN,ACK"`; ECE/CWR are not part of the text form. */
export function flagsToString(flags: number): string {
  return names(flags, ORDER);
}

/** The ECN flags (RFC 3168 §6.1): named by parseFlags and ecnFlagsToString, never by flagsToString. */
const ECN_ORDER: ReadonlyArray<readonly [number, string]> = [
  [ECE, 'ECE'],
  [CWR, 'CWR'],
];

/** `ECE|CWR` → `"ECE,CWR"`: the two ECN flags flagsToString leaves out. */
export function ecnFlagsToString(flags: number): string {
  return names(flags, ECN_ORDER);
}

function names(flags: number, order: ReadonlyArray<readonly [number, string]>): string {
  const parts: string[] = [];
  for (const [bit, name] of order) if (flags & bit) parts.push(name);
  return parts.join(',');
}

/** `"SYN,ACK"` (any order, any case; ECE and CWR too) → `SYN|ACK`. Throws on an unknown name: it is for tests and scripts. */
export function parseFlags(text: string): number {
  let flags = 0;
  for (const raw of text.split(',')) {
    const name = raw.trim().toUpperCase();
    if (name === '') continue;
    const hit = ORDER.find(([, n]) => n === name) ?? ECN_ORDER.find(([, n]) => n === name);
    if (!hit) throw new Error(`unknown TCP flag "${raw}"`);
    flags |= hit[0];
  }
  return flags;
}
