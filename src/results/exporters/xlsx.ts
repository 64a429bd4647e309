/**
 * results.xlsx: requests.csv and summary.csv as one workbook, one sheet per file, with typed
 * cells (numbers are numbers whatever the spreadsheet's locale: a German LibreOffice reads
 * the CSV's `111.861` as 111861), the header row bold and frozen. Written once, when the
 * run ends, from the finished requests.csv (the writer closes it first); it holds the rows
 * in memory while it builds the workbook, which is why it is opt-in (`formats: [xlsx]`).
 *
 * write-excel-file (with fflate, ~3.7 MB installed) rather than exceljs (~53 MB, 194
 * packages): we only write, and it covers typed cells, several sheets and frozen rows.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Cell, SheetData } from 'write-excel-file/node';
import { parseAxisCell, requestTable, type Column } from '../../records/columns.js';
import { readRequests } from '../read-requests.js';
import type { RunJson } from '../run-json.js';
import { percentilesIn, summaryTable } from '../summary-csv.js';
import type { Exporter } from '../types.js';
import { atomicWrite } from './atomic.js';
import { REQUESTS_CSV } from './requests-csv.js';

export const RESULTS_XLSX = 'results.xlsx';

/** A cell of the sheet from a column's CSV text: empty stays empty, numbers become numbers. */
export function typedCell(column: Pick<Column<never>, 'type'>, text: string): Cell {
  if (text === '') return null;
  switch (column.type) {
    case 'number':
    case 'integer': {
      const n = Number(text);
      return Number.isFinite(n) ? { value: n, type: Number } : text;
    }
    case 'boolean':
      return text === 'true' ? { value: true, type: Boolean } : text === 'false' ? { value: false, type: Boolean } : text;
    case 'any': {
      // Matrix values: 0.7 is a number, inf and model names are text.
      const v = parseAxisCell(text);
      if (typeof v === 'number' && Number.isFinite(v)) return { value: v, type: Number };
      if (typeof v === 'boolean') return { value: v, type: Boolean };
      return text;
    }
    default:
      return text;
  }
}

function sheet<T>(name: string, columns: readonly Column<T>[], rows: Iterable<string[]>): { sheet: string; data: SheetData; columns: { width: number }[]; stickyRowsCount: number } {
  const data: SheetData = [columns.map((c) => ({ value: c.name, fontWeight: 'bold' as const }))];
  for (const row of rows) data.push(row.map((text, i) => typedCell(columns[i] as Column<never>, text)));
  return { sheet: name, data, columns: columns.map((c) => ({ width: Math.min(40, Math.max(8, c.name.length + 2)) })), stickyRowsCount: 1 };
}

/** The workbook of a results folder: its requests.csv and the run's summaries. */
export async function buildWorkbook(dir: string, run: RunJson): Promise<Buffer> {
  const summary = summaryTable(run.axes, { serverMetrics: run.cells.some((c) => c.server_metrics !== undefined), percentiles: percentilesIn(run.cells) });
  const requests = requestTable(run.axes);
  const path = join(dir, REQUESTS_CSV);
  const rows = existsSync(path) ? [...readRequests(path).records].map((r) => requests.row(r)) : [];
  const sheets = [
    sheet('summary', summary.columns, run.cells.map((c) => summary.row(c))),
    sheet('requests', requests.columns, rows),
  ];
  // Imported here: only a run that asks for xlsx should load the writer and its zip library.
  const { default: writeXlsxFile } = await import('write-excel-file/node');
  return (await writeXlsxFile(sheets).toBuffer()) as Buffer;
}

export const xlsx: Exporter = {
  file: RESULTS_XLSX,
  open: async (dir) => {
    let last: RunJson | undefined;
    return {
      write: async (run) => {
        last = run;
      },
      close: async () => {
        if (last) atomicWrite(join(dir, RESULTS_XLSX), await buildWorkbook(dir, last));
      },
    };
  },
};
