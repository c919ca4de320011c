/**
 * Left-aligned columns for humans: each column as wide as its widest cell, two spaces apart.
 *
 * @example
 * textTable([['N', 'BY'], ['1', 'ana']]) // 'N  BY\n1  ana\n'
 */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .map((line) => `${line.trimEnd()}\n`)
    .join('');
}
