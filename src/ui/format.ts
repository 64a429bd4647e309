/** Number formatting for the terminal (files keep plain numbers). */
export function fmtNum(v: number | undefined, digits = 1): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(digits);
}

export function fmtInt(v: number | undefined): string {
  return v === undefined ? '—' : Math.round(v).toLocaleString('en-US');
}

export function valueText(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
