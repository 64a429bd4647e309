// TEMPORARY: replaced by the real child-process launcher from branch `sim`.
import type { SimulatorOptions } from '../spec/schema.js';
export async function startBuiltinSimulator(_opts: Partial<SimulatorOptions>): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  throw new Error('the bundled simulator is not built yet');
}
