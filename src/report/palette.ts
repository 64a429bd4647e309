/**
 * Series colours, shared by the HTML legends (html.ts) and the charts (client.ts, which gets
 * them as an argument). Tableau 10: distinct in colour and in lightness, readable on white and
 * in greyscale print; past ten series the colours repeat with a dash pattern.
 */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export const DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
/** Reference lines (achieved = offered). */
export const REFERENCE = '#8a9199';
/** Stacked error bars start further along the palette, away from the latency blues. */
export const BAR_OFFSET = 2;
