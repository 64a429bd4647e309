/**
 * When a failed request means the whole run cannot go on (exit 3): the credentials were
 * refused, or the endpoint cannot be reached before anything succeeded. Anything else is an
 * error row.
 */
import type { RequestRecord } from '../records/types.js';
import type { Target } from '../spec/schema.js';
import type { ExchangeResult } from './exchange.js';

export function fatalReason(record: RequestRecord, result: ExchangeResult, target: Target, anySuccess: boolean): string | undefined {
  if (result.fatal) return result.fatal;
  if (record.error_kind === 'auth') {
    const answered = record.http_status !== undefined ? `answered HTTP ${record.http_status}` : `refused the call (${record.error})`;
    return (
      `${target.base_url} ${answered}: the API key or credentials were refused. ` +
      'Check target.api_key (and the environment variable it reads) and target.headers.'
    );
  }
  if (anySuccess) return undefined;
  if (result.unreachable === 'connect-timeout') return `cannot reach ${target.base_url}: connect timeout after ${target.timeout.connect_ms} ms`;
  if (result.unreachable) return `cannot reach ${target.base_url}: ${record.error?.replace(/^network: /, '')}. Is the server running, and is base_url right?`;
  return undefined;
}
