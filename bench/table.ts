/** Plain-text tables for the bench scripts' summaries: the first column left-aligned, the others right-aligned. */

/** A number with `decimals` digits and thousands separators, or – when it is not a finite number. */
export function num(x: number | undefined, decimals: number): string {
  return x === undefined || !Number.isFinite(x) ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** `rows[0]` is the header; every row has the same number of cells. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}
