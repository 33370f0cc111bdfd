/**
 * Times and durations in units a person reads: "40 ms", "1.5 s",
 * "2 min 7.02 s", "2 h 0 min" (not 7200000 ms). Exact to the microsecond,
 * so two events 10 ms apart two hours in still read apart.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${round(ms, 3)} ms`;
  if (ms < 60_000) return `${round(ms / 1000, 6)} s`;
  const h = Math.floor(ms / 3_600_000);
  const min = Math.floor((ms % 3_600_000) / 60_000);
  const s = round((ms % 60_000) / 1000, 6);
  const parts = h > 0 ? [`${h} h`, `${min} min`] : [`${min} min`];
  if (s > 0) parts.push(`${s} s`);
  return parts.join(' ');
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}
