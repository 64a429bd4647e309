/**
 * Fault injection: drawn per request with `fault_rate` over the `faults` kinds (seeded), or
 * forced by the request header `x-simulator-fault: <kind>[;<param>=<value>]...`, e.g.
 * `429;retry-after=0`, `reset;after=5`, `slow;factor=4`, or `none` (no fault, whatever the
 * rate says). Parameters: retry-after (429/503, seconds), after (reset/stall/malformed,
 * content chunks sent before the fault), factor (slow, inter-token delay multiplier).
 */
import { FAULT_KINDS } from '../spec/target.js';
import type { Random } from '../random.js';
import type { Fault, FaultKind } from './types.js';
import { errorBody } from './wire.js';

export const FAULT_HEADER = 'x-simulator-fault';

export const FAULT_DEFAULTS = { retryAfterS: 1, after: 2, factor: 10 } as const;

export function defaultFault(kind: FaultKind): Fault {
  return { kind, ...FAULT_DEFAULTS };
}

export type FaultHeaderResult = { ok: true; fault: Fault | undefined } | { ok: false; message: string };

const PARAMS = {
  'retry-after': { key: 'retryAfterS', min: 0, integer: true },
  after: { key: 'after', min: 0, integer: true },
  factor: { key: 'factor', min: Number.MIN_VALUE, integer: false },
} as const;

/** Parses the header value; `none` gives no fault. */
export function parseFaultHeader(value: string): FaultHeaderResult {
  const [head, ...params] = value.split(';').map((s) => s.trim());
  const kind = head.toLowerCase();
  if (kind === 'none') return { ok: true, fault: undefined };
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
    return { ok: false, message: `unknown fault '${head}' in ${FAULT_HEADER}; use one of ${FAULT_KINDS.join(', ')} or none` };
  }
  const fault = defaultFault(kind as FaultKind);
  for (const p of params) {
    if (p === '') continue;
    const [name, raw = ''] = p.split('=').map((s) => s.trim());
    const spec = PARAMS[name.toLowerCase() as keyof typeof PARAMS];
    if (!spec) return { ok: false, message: `unknown parameter '${name}' in ${FAULT_HEADER}; use retry-after, after or factor` };
    const n = Number(raw);
    if (raw === '' || !Number.isFinite(n) || n < spec.min || (spec.integer && !Number.isInteger(n))) {
      return { ok: false, message: `bad value '${raw}' for ${name} in ${FAULT_HEADER}` };
    }
    fault[spec.key] = n;
  }
  return { ok: true, fault };
}

/**
 * Draws whether this request gets a fault, and which. Always takes two numbers from `random`
 * so that the n-th request's draw does not depend on earlier outcomes.
 */
export function drawFault(random: Random, rate: number, kinds: readonly FaultKind[]): Fault | undefined {
  const hit = random() < rate;
  const pick = random();
  return hit && kinds.length > 0 ? defaultFault(kinds[Math.floor(pick * kinds.length)]) : undefined;
}

/** Faults answered at once with an error status instead of a completion. */
export function isStatusFault(kind: FaultKind): kind is '429' | '500' | '503' {
  return kind === '429' || kind === '500' || kind === '503';
}

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The response of a status fault: 429/503 JSON with Retry-After, 500 an HTML page as a proxy would send. */
export function faultResponse(fault: Fault): FaultResponse {
  const json = { 'content-type': 'application/json' };
  switch (fault.kind) {
    case '429':
      return {
        status: 429,
        headers: { ...json, 'retry-after': String(fault.retryAfterS) },
        body: JSON.stringify(
          errorBody(
            `Rate limit reached for requests (simulated). Please try again in ${fault.retryAfterS}s.`,
            'requests',
            null,
            'rate_limit_exceeded',
          ),
        ),
      };
    case '503':
      return {
        status: 503,
        headers: { ...json, 'retry-after': String(fault.retryAfterS) },
        body: JSON.stringify(
          errorBody('The server is overloaded or not ready yet (simulated).', 'server_error', null, 'service_unavailable'),
        ),
      };
    default:
      return { status: 500, headers: { 'content-type': 'text/html; charset=utf-8' }, body: HTML_500 };
  }
}

export const HTML_500 =
  '<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n' +
  '<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>llm-sweep simulator</center>\r\n</body>\r\n</html>\r\n';

/** The line written by the `malformed` fault: an SSE data line that is not JSON. */
export const MALFORMED_LINE = 'data: {"id": "chatcmpl-sim", "choices": [{"delta": {"content": "unterminated\n\n';

/** The body sent by the `malformed` fault on a non-streaming request: truncated JSON with status 200. */
export const MALFORMED_JSON = '{"id": "chatcmpl-sim", "object": "chat.completion", "choices": [{"message": {"content": "unterminated';
