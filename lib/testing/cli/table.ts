/**
 * Juju's tabular output: columns separated by two spaces, each as wide as its widest cell,
 * some right-aligned (Scale, Rev, Revision), the last column never padded (juju/cmd/output
 * tabwriter with SetColumnAlignRight). Trailing blanks are trimmed: a cosmetic difference from
 * juju, which leaves padding after an empty last cell.
 */
export function tabulate(rows: ReadonlyArray<ReadonlyArray<string>>, alignRight: ReadonlySet<number> = new Set()): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, [...cell].length); });
  return rows.map((row) => row.map((cell, i) => {
    const w = widths[i] ?? 0;
    if (i === row.length - 1) return alignRight.has(i) ? cell.padStart(w) : cell;
    return (alignRight.has(i) ? cell.padStart(w) : cell.padEnd(w)) + '  ';
  }).join('').trimEnd()).join('\n') + '\n';
}
