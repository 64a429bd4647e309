/**
 * ShareGPT (the format vLLM's benchmark reads): one JSON array of
 * `{"id", "conversations": [{"from": "human"|"gpt", "value": "..."}, ...]}`. The first turn
 * is the prompt and the second the reference answer; conversations of fewer than two turns
 * are skipped, as vLLM does.
 */
import { UserError } from '../../errors.js';
import type { DatasetFormat } from './dataset-format.js';
import { jsonArrayRows } from './read-rows.js';

export const sharegptFormat: DatasetFormat = {
  rows: jsonArrayRows,
  content(row, ref) {
    const at = `${ref.shown}:${row.line}`;
    const v = row.value as Record<string, unknown> | null;
    const conv = v && typeof v === 'object' && !Array.isArray(v) ? v.conversations : undefined;
    if (!Array.isArray(conv)) {
      const keys = v && typeof v === 'object' ? Object.keys(v) : [];
      throw new UserError(
        `${at}: a ShareGPT element needs "conversations": a list of {"from", "value"}${keys.length > 0 ? `; found ${keys.map((k) => `"${k}"`).join(', ')}` : ''}`,
      );
    }
    if (conv.length < 2) return undefined;
    const turns = conv.map((t, j) => {
      const value = (t as { value?: unknown } | null)?.value;
      if (typeof value !== 'string') throw new UserError(`${at}: conversations[${j}] needs a "value" text`);
      return value;
    });
    return { prompt: turns[0], answer: turns[1], turns };
  },
};
