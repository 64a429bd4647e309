/**
 * Cell ids are built from the cell's own values only, so adding or removing an unrelated
 * cell never renames another one (results stay comparable across spec edits). Common keys
 * get short names to keep ids readable in a terminal: `m=llama3-8b,t=0.7,mt=256,c=8`.
 */
import type { Combination } from './types.js';

const SHORT: Record<string, string> = {
  model: 'm',
  temperature: 't',
  max_tokens: 'mt',
  max_completion_tokens: 'mct',
  concurrency: 'c',
  rate: 'r',
  stream: 's',
  top_p: 'p',
  top_k: 'k',
};

export function cellId(params: Combination): string {
  const parts = Object.entries(params).map(([k, v]) => `${SHORT[k] ?? k}=${valueText(v)}`);
  return parts.length > 0 ? parts.join(',') : 'default';
}

function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
