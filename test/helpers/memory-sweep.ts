/** A sweep run in this process through the public API, results kept in memory. */
import { buildPlan, loadSpec, memoryWriter, runSweep, type RequestRecord, type RunEvent, type SweepResult } from '../../src/index.js';
import { tempDir, writeSpec } from './cli.js';

export interface MemorySweep {
  result: SweepResult;
  records: RequestRecord[];
  events: RunEvent[];
}

export async function sweepInMemory(yaml: string, env: NodeJS.ProcessEnv = process.env): Promise<MemorySweep> {
  const loaded = loadSpec(writeSpec(yaml, tempDir()), { env });
  const plan = buildPlan(loaded);
  const writer = memoryWriter();
  const events: RunEvent[] = [];
  const result = await runSweep({ loaded, plan, baseUrl: loaded.spec.target!.base_url, writer, onEvent: (e) => events.push(e) });
  return { result, records: writer.records, events };
}
