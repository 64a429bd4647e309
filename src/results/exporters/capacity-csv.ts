/** capacity.csv: one row per searched cell, rewritten whole as searches end; only for a spec with `search:`. */
import { join } from 'node:path';
import { CAPACITY_CSV, serializeCapacityCsv } from '../capacity-csv.js';
import type { Exporter } from '../types.js';
import { atomicWrite } from './atomic.js';

export const capacityCsv: Exporter = {
  file: CAPACITY_CSV,
  open: async (dir, run) => {
    const over = run.spec.search?.over;
    if (!over) return {};
    const axes = run.axes.filter((a) => a !== over);
    return { write: async (r) => atomicWrite(join(dir, CAPACITY_CSV), serializeCapacityCsv(r.capacity ?? [], axes)) };
  },
};
