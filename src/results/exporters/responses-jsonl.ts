/** responses.jsonl (output.save_responses): every response text, appended as requests end. */
import { join } from 'node:path';
import type { Exporter } from '../types.js';
import { openAppendFile } from './append-file.js';

export const RESPONSES_JSONL = 'responses.jsonl';

export const responsesJsonl: Exporter = {
  file: RESPONSES_JSONL,
  async open(dir, _run, scrub) {
    const file = openAppendFile(join(dir, RESPONSES_JSONL));
    return {
      record: (r, text) =>
        file.append(scrub(`${JSON.stringify({ cell: r.cell, prompt_id: r.prompt_id, repeat: r.repeat, status: r.status, text })}\n`)),
      write: async () => file.flush(),
      close: async () => file.close(),
    };
  },
};
