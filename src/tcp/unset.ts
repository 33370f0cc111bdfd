/**
 * A time (ms) that is not set, kept in a number field: NaN, which no clock reading, deadline or RTT is.
 *
 * Issue 11: V8 keeps a field that ever held undefined as a tagged pointer, and every fractional time stored
 * there then takes a new heap number (on the data path, one per segment or ACK); a field that only ever holds
 * numbers is a double updated in place. So times that may be absent live in number fields, UNSET when absent,
 * and the API shows them through accessors as it always has: undefined when absent.
 */
export const UNSET = NaN;

/** A time field as the API shows it: undefined when unset. */
export function shown(ms: number): number | undefined {
  return Number.isNaN(ms) ? undefined : ms;
}

/** What a time field keeps for `t`: UNSET for undefined. */
export function kept(t: number | undefined): number {
  return t === undefined ? UNSET : t;
}
