/** Issue 11's goals, as the summary tables print them beside the figures (bench/run.ts, bench/compare.ts). */
export const GOALS = {
  bulk1500: '≥ 6',
  bulk65535: '≥ 30',
  netBulk: '≥ 4',
  connectionsPerSecond: '40k',
  allocationPerSegment: '0',
  bytesPerTcb: '≤ 1,024',
  bytesPerTimeWait: '≤ 128',
  none: '–',
} as const;

/** The raw-API bulk goal at `mtu`. */
export function bulkGoal(mtu: number): string {
  return mtu === 1500 ? GOALS.bulk1500 : GOALS.bulk65535;
}
