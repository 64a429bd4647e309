/**
 * A plain aligned table for the terminal: no borders, columns two spaces apart (one when
 * space is short), a rule under the header. Borders cost three characters a column, which
 * is what made the summary wrap at 80 columns. Pure: returns lines.
 */

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Printed width of a string: ANSI colour codes take no room. */
export function visibleWidth(s: string): number {
  return s.replace(ANSI, '').length;
}

export interface TextColumn {
  head: string;
  align: 'left' | 'right';
}

export interface TextTableOptions {
  /** Spaces between columns. */
  gap: number;
  /** Paints the header (colour), given the padded text. */
  paintHead?: (s: string) => string;
}

/** Column widths: the widest of the header and the cells. */
export function columnWidths(columns: readonly TextColumn[], rows: readonly string[][]): number[] {
  return columns.map((c, i) => Math.max(visibleWidth(c.head), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
}

/** The width the table takes with these columns and gap. */
export function tableWidth(widths: readonly number[], gap: number): number {
  return widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, widths.length - 1);
}

export function renderTextTable(columns: readonly TextColumn[], rows: readonly string[][], opts: TextTableOptions): string[] {
  const widths = columnWidths(columns, rows);
  const pad = (s: string, i: number) => {
    const fill = ' '.repeat(Math.max(0, widths[i] - visibleWidth(s)));
    return columns[i].align === 'right' ? fill + s : s + fill;
  };
  const sep = ' '.repeat(opts.gap);
  const line = (cells: string[]) => cells.map(pad).join(sep).trimEnd();
  const head = line(columns.map((c) => c.head));
  return [
    opts.paintHead ? opts.paintHead(head) : head,
    '─'.repeat(tableWidth(widths, opts.gap)),
    ...rows.map((r) => line(r)),
  ];
}

/** The columns to fit: a terminal's own width, else 80 (a file, a CI log). */
export function terminalWidth(stream: NodeJS.WriteStream): number {
  return stream.isTTY && (stream.columns ?? 0) >= 20 ? stream.columns : 80;
}
