/**
 * TSO sizing: how much new data one segment may carry when the link cuts it
 * into MSS-sized segments itself (a TUN device with offloads). As Linux's
 * tcp_write_xmit / tcp_mss_split_point: the super-segment takes what the
 * send window, cwnd and the link allow, in whole segments, except for a small
 * tail that ends the queued data when Nagle lets it go.
 */

/**
 * Payload bytes of one TSO super-segment. `room` is the payload of one wire
 * segment (the MSS less this segment's options); a full segment of `room`
 * must already be allowed (data, window and cwnd each hold at least `room`).
 * Never less than `room`, never more than `tsoMax`.
 */
export function tsoLength(room: number, tsoMax: number, dataLeft: number, inWindow: number, cwndBudget: number, smallTailOk: boolean): number {
  let len = Math.min(dataLeft, inWindow, cwndBudget, tsoMax);
  if (!(len === dataLeft && smallTailOk)) len -= len % room;
  return Math.max(room, len);
}
