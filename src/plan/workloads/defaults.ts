/**
 * Requests per cell when the spec gives no `requests:`: a conversation's sessions times its
 * turns, or (filled in once the file is read, see plan-workload.ts) every request of a trace.
 * Synthetic prompts and datasets need `requests:` (spec-checks.ts says so at its line).
 */
import { meanOf } from './distribution.js';
import type { WorkloadSpec } from './schema.js';

export function defaultRequests(w: WorkloadSpec): number | undefined {
  if (w.conversation?.sessions !== undefined) return w.conversation.sessions * Math.max(1, Math.round(meanOf(w.conversation.turns)));
  return undefined;
}
