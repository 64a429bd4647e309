/**
 * Numbers for people, one formatter per kind: a measured value, a count, a share, a span of
 * time. The terminal tables, compare's markdown and the HTML report all use these, so the
 * same figure reads the same everywhere. Files keep plain numbers (records/columns.ts).
 */

/**
 * A measured value: three significant digits (four from 100), thousands grouped, no
 * exponent, no trailing zeros ("0.7", not "0.700"); empty for a non-finite value.
 * Self-contained: the report's browser script gets its source too.
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(a >= 100 ? 4 : 3)));
}

/** A measured value in a table: `formatNumber`, or a dash when there is none. */
export function formatValue(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '—' : formatNumber(v);
}

/** A count: whole, thousands grouped; a dash when there is none. */
export function formatInt(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '—' : Math.round(v).toLocaleString('en-US');
}

/**
 * A share (or a relative change) as a percentage: one decimal, two significant digits
 * below 1%, no trailing zeros: 0.3202 -> "32%", 0.0664 -> "6.6%", 0.00361 -> "0.36%";
 * a dash when there is none.
 */
export function formatPercent(share: number | undefined): string {
  if (share === undefined || !Number.isFinite(share)) return '—';
  const pct = share * 100;
  return `${Number(Math.abs(pct) >= 1 || pct === 0 ? pct.toFixed(1) : pct.toPrecision(2))}%`;
}

/**
 * A confidence level, e.g. 0.95 -> "95%", 0.99791 -> "99.79%", 0.9999958 -> "99.99958%":
 * near 100% the digits that matter are the last ones, so two decimals from 99% and as many
 * as show two digits of the distance to 100% (a Bonferroni level over 12,000 comparisons
 * read "100%" before).
 */
export function formatLevel(p: number): string {
  const gap = 100 * (1 - p);
  const decimals = gap > 0 && gap < 1 ? Math.max(2, Math.ceil(-Math.log10(gap)) + 1) : p >= 0.99 ? 2 : 1;
  return `${Number((p * 100).toFixed(Math.min(decimals, 20)))}%`;
}

/** "1 h 02 min", "3 min 05 s", "12.4 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${String(sec).padStart(2, '0')} s`;
}

/** "2026-11-25 03:48:39 UTC" from an ISO time. */
export function formatTime(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  return `${new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;
}
