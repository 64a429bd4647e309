/**
 * The HTTP status that an error reported inside a 2xx answer stands for, so that the runner
 * can retry it like that status (when it is in `retry.on`) if it came before any content.
 * Servers that stream send errors this way once the 200 headers are out: mock servers and
 * OpenAI-compatible gateways with `error.code: "rate_limit_exceeded"`, llama.cpp with a
 * numeric `error.code` (`{"code":503,"type":"unavailable_error"}`), Anthropic with
 * `event: error` and `overloaded_error` (its HTTP status for that is 529).
 */
import { isObject } from './shared.js';

/** Error codes and types, lower case, by the status they stand for. */
const BY_NAME: Readonly<Record<string, number>> = {
  rate_limit_exceeded: 429,
  rate_limit_error: 429,
  rate_limited: 429,
  too_many_requests: 429,
  server_error: 500,
  internal_error: 500,
  internal_server_error: 500,
  api_error: 500,
  bad_gateway: 502,
  service_unavailable: 503,
  unavailable_error: 503,
  gateway_timeout: 504,
  overloaded_error: 529,
};

function asStatus(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d{3}$/.test(v.trim()) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

/**
 * The status an error object means: a numeric `code` or `status`, else a known `code` or
 * `type` name (`extra` adds a provider's own names, e.g. TGI's error_type). Undefined when it
 * says none.
 */
export function errorStatus(err: unknown, extra: Readonly<Record<string, number>> = {}): number | undefined {
  if (!isObject(err)) return undefined;
  const numeric = asStatus(err.code) ?? asStatus(err.status);
  if (numeric !== undefined) return numeric;
  for (const key of ['code', 'type', 'error_type']) {
    const name = err[key];
    if (typeof name !== 'string') continue;
    const lower = name.toLowerCase();
    const status = (Object.hasOwn(extra, lower) ? extra[lower] : undefined) ?? (Object.hasOwn(BY_NAME, lower) ? BY_NAME[lower] : undefined);
    if (status !== undefined) return status;
  }
  return undefined;
}
