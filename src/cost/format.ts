/** Costs as people read them: four significant digits, never an exponent, the currency after. */

/** e.g. 0.01234 -> "0.01234", 1234.5 -> "1234.50", 1.5e-7 -> "0.00000015"; with a currency, "0.01234 USD". */
export function formatCost(cost: number, currency = ''): string {
  const unit = currency ? ` ${currency}` : '';
  if (!Number.isFinite(cost)) return `${cost}${unit}`;
  if (cost === 0) return `0${unit}`;
  const abs = Math.abs(cost);
  if (abs >= 1000) return `${cost.toFixed(2)}${unit}`;
  // Decimals enough for 4 significant digits, then trailing zeros dropped.
  const decimals = Math.min(20, Math.max(0, 3 - Math.floor(Math.log10(abs))));
  return `${cost.toFixed(decimals).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')}${unit}`;
}
