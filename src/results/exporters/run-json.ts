/** run.json, rewritten whole after every cell (not paced: `--resume` reads it). */
import { join } from 'node:path';
import { RUN_JSON, serializeRunJson } from '../run-json.js';
import type { Exporter } from '../types.js';
import { atomicWrite } from './atomic.js';

export const runJson: Exporter = {
  file: RUN_JSON,
  open: async (dir, _run, scrub) => ({
    write: async (run) => atomicWrite(join(dir, RUN_JSON), scrub(serializeRunJson(run))),
    eachCell: true,
  }),
};
