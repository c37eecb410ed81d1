// Plain-text tables for the terminal (right-aligned numbers, left-aligned text).

export type Cell = string | number | undefined;

export function formatNumber(value: number | undefined, digits = 1): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  return value.toFixed(digits);
}

export function renderTable(header: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map((cell) => (cell === undefined ? '-' : String(cell))));
  const widths = header.map((title, i) => Math.max(title.length, ...text.map((row) => row[i]?.length ?? 0)));
  const isNumeric = header.map((_, i) => rows.every((row) => typeof row[i] === 'number' || /^[-\d.x]+$/.test(String(row[i] ?? '-'))));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (isNumeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}
