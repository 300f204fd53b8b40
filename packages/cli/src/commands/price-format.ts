/** Number and table formatting for the `price` and `prices` commands. */

/** USD with up to 10 decimals, trailing zeros trimmed but at least 2 kept (`0.0075`, `12.50`). */
export function formatUsd(value: number): string {
  const fixed = value.toFixed(10);
  const trimmed = fixed.replace(/0+$/, '');
  const [whole, frac = ''] = trimmed.split('.');
  return `${whole}.${frac.padEnd(2, '0')}`;
}

/** USD amounts with a shared number of decimals (the most any needs, 2 to 10) so a column lines up. */
export function formatUsdColumn(values: number[]): string[] {
  const decimals = Math.max(2, ...values.map((v) => formatUsd(v).split('.')[1].length));
  return values.map((v) => v.toFixed(decimals));
}

/** USD rounded to the picodollar for output (drops binary floating-point noise such as ...999999). */
export function roundUsd(value: number): number {
  return Math.abs(value) < 9e3 ? Math.round(value * 1e12) / 1e12 : value;
}

/** A rate in USD with up to 6 decimals (rates are published with few decimals). */
export function formatRate(value: number): string {
  return formatUsd(Math.round(value * 1e6) / 1e6);
}

/** Whole numbers with thousands separators. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Left-aligned first column, right-aligned others; two spaces between columns. */
export function renderTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
