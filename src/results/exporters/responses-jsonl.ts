/** responses.jsonl (output.save_responses): every response text, appended as requests end. */
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
      record(r, text) {
        const line = `${JSON.stringify({ cell: r.cell, prompt_id: r.prompt_id, repeat: r.repeat, status: r.status, text })}\n`;
        chain = chain.then(() => handle.appendFile(line));
      },
      async close() {
        await chain;
        await handle.close();
      },
    };
  },
};
