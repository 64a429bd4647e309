/**
 * responses.jsonl (output.save_responses): every answer, appended as requests end: its row
 * key, status, the answer text, the reasoning when the server sent it apart, and each
 * check's verdict when the spec has checks.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exporter } from '../types.js';

export const RESPONSES_JSONL = 'responses.jsonl';

export const responsesJsonl: Exporter = {
  file: RESPONSES_JSONL,
  async open(dir) {
    const handle = await open(join(dir, RESPONSES_JSONL), 'a');
    let chain: Promise<unknown> = Promise.resolve();
    return {
      record(r, answer) {
        const entry: Record<string, unknown> = { cell: r.cell, prompt_id: r.prompt_id, repeat: r.repeat, status: r.status, text: answer.text };
        if (answer.reasoning) entry.reasoning = answer.reasoning;
        if (answer.checks) entry.checks = answer.checks;
        const line = `${JSON.stringify(entry)}\n`;
        chain = chain.then(() => handle.appendFile(line));
      },
      async close() {
        await chain;
        await handle.close();
      },
    };
  },
};
