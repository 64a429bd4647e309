/**
 * responses.jsonl (output.save_responses): every answer, appended as requests end: its row
 * key, status, the answer text, the reasoning when the server sent it apart, and each
 * check's verdict when the spec has checks. Lines go through append-file.ts, as rows do.
 */
import { join } from 'node:path';
import type { Exporter } from '../types.js';
import { openAppendFile } from './append-file.js';

export const RESPONSES_JSONL = 'responses.jsonl';

export const responsesJsonl: Exporter = {
  file: RESPONSES_JSONL,
  async open(dir, _run, scrub) {
    const file = openAppendFile(join(dir, RESPONSES_JSONL));
    return {
      record(r, answer) {
        const entry: Record<string, unknown> = { cell: r.cell, prompt_id: r.prompt_id, repeat: r.repeat, status: r.status, text: answer.text };
        if (answer.reasoning) entry.reasoning = answer.reasoning;
        if (answer.checks) entry.checks = answer.checks;
        file.append(scrub(`${JSON.stringify(entry)}\n`));
      },
      write: async () => file.flush(),
      close: async () => file.close(),
    };
  },
};
