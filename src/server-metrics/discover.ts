/**
 * `metrics: auto`: one GET of `{server root}/metrics` before the run, to say whether the
 * server has an endpoint worth scraping. The root is the base URL without the `/v1` an
 * OpenAI-style base ends in (vLLM, SGLang and llama.cpp serve /metrics beside /v1).
 */
import { redactUrl } from '../spec/redact.js';
import { recognize } from './aggregate.js';
import { fetchText } from './fetch-text.js';
import { parsePrometheus, PromParseError } from './parse.js';

export type Discovery =
  | {
      found: true;
      /** The URL to scrape (credentials kept: it is used, not shown). */
      url: string;
      /** Server families whose mapped metrics the endpoint has (vllm, llamacpp, ...); empty for none. */
      families: string[];
      /** How many mapped metrics it has. */
      mapped: number;
    }
  | { found: false; url: string; reason: string };

/** Triton serves Prometheus metrics over HTTP on this port, beside gRPC on 8001. */
const TRITON_METRICS_PORT = '8002';

/** `{root}/metrics` for a base URL such as http://host:8000/v1; Triton's metrics port for a grpc:// one. */
export function metricsUrlFor(baseUrl: string): string {
  const grpc = /^grpc(s?):\/\/([^/]+)\/?$/i.exec(baseUrl);
  if (grpc) {
    const u = new URL(`http${grpc[1].toLowerCase()}://${grpc[2]}`);
    u.port = TRITON_METRICS_PORT;
    u.pathname = '/metrics';
    return u.toString();
  }
  const u = new URL(baseUrl);
  u.pathname = `${u.pathname.replace(/\/+$/, '').replace(/\/v1$/, '')}/metrics`;
  u.search = '';
  u.hash = '';
  return u.toString();
}

export async function discover(baseUrl: string, timeoutMs: number): Promise<Discovery> {
  let url: string;
  try {
    url = metricsUrlFor(baseUrl);
  } catch {
    return { found: false, url: baseUrl, reason: 'the base URL is not a URL' };
  }
  const res = await fetchText(url, { timeoutMs });
  if (!res.ok) return { found: false, url, reason: res.error };
  try {
    const recognized = recognize(parsePrometheus(res.text));
    return { found: true, url, families: [...new Set(recognized.map((r) => r.family))], mapped: recognized.length };
  } catch (e) {
    if (e instanceof PromParseError) return { found: false, url, reason: e.message };
    throw e;
  }
}

/** One line for the terminal: what `auto` found. */
export function describeDiscovery(d: Discovery): string {
  const where = redactUrl(d.url);
  if (!d.found) return `metrics: auto found no Prometheus endpoint at ${where} (${d.reason}); the run goes on without server metrics`;
  const what = d.families.length > 0 ? `${d.families.join(', ')}: ${d.mapped} mapped metrics` : 'none of its metrics are mapped; raw samples are kept';
  return `metrics: auto found ${where} (${what})`;
}
