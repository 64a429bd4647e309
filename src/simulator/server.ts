/**
 * The simulator's HTTP server (node:http): routes, the life of one completion request
 * (validate → fault → generate → batch scheduler → SSE chunks or one JSON body), and a clean
 * shutdown that also ends stalled streams.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simulatorSchema } from '../spec/target.js';
import { loadTokenizer } from '../tokenizers/load.js';
import type { Tokenizer } from '../tokenizers/types.js';
import { drawFault, FAULT_HEADER, faultResponse, isStatusFault, MALFORMED_JSON, MALFORMED_LINE, parseFaultHeader } from './faults.js';
import { BatchScheduler, realClock, type SequenceHandle } from './latency-model.js';
import { createSimulatorMetrics, type SimulatorMetrics } from './metrics.js';
import { BLOCK_TOKENS, createPrefixCache } from './prefix-cache.js';
import { parseRequest, parseTritonRequest, RequestError, type SimRequest, type TritonRoute } from './request.js';
import { mixSeed, mulberry32 } from '../random.js';
import { CHARS_PER_TOKEN, generate } from './text.js';
import { tokenizeAnswer } from './tokenize.js';
import type { Fault, ListenOptions, RequestLogEntry, RunningSimulator, SimulatorOptions, SimulatorServerOptions } from './types.js';
import { completionBody, errorBody, NO_RETURNS, responseId, streamFormat, usageOf, type Endpoint, type ResponseMeta } from './wire.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_MODELS = ['sim-7b'];
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
} as const;

/** Triton's generate extension: /v2/models/{model}[/versions/{v}]/generate[_stream]. */
const TRITON_ROUTE = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/(generate|generate_stream)$/;

const ROUTES: Record<string, { method: string; endpoint?: Endpoint }> = {
  '/v1/chat/completions': { method: 'POST', endpoint: 'chat' },
  '/v1/completions': { method: 'POST', endpoint: 'completions' },
  '/v1/models': { method: 'GET' },
  '/health': { method: 'GET' },
  '/tokenize': { method: 'POST' },
  '/metrics': { method: 'GET' },
};

/** The model options with defaults filled in and checked (throws a ZodError on bad values). */
export function resolveSimulatorOptions(opts: Partial<SimulatorOptions> = {}): SimulatorOptions {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(simulatorSchema.shape)) {
    const v = (opts as Record<string, unknown>)[key];
    if (v !== undefined) picked[key] = v;
  }
  return simulatorSchema.parse(picked);
}

export interface SimulatorServer {
  server: http.Server;
  scheduler: BatchScheduler;
  /** What /metrics exposes; the gRPC side counts its requests into it too. */
  metrics: SimulatorMetrics;
  /** Stops the scheduler and drops every connection; resolves when the server has closed. */
  close(): Promise<void>;
}

/** Builds the server (not yet listening). */
export function createSimulatorServer(input: Partial<SimulatorServerOptions> = {}): SimulatorServer {
  const opts = resolveSimulatorOptions(input);
  const models = input.models ?? DEFAULT_MODELS;
  const onRequest = input.onRequest;
  const scheduler = new BatchScheduler(opts, realClock);
  // A relative tokenizer path is the caller's to resolve (the runner resolves it against the spec).
  const tokenizer = opts.tokenizer ? loadTokenizer(opts.tokenizer, { dir: process.cwd(), at: 'simulator' }) : undefined;
  const prefixCache = opts.prefix_cache ? createPrefixCache(tokenizer ? BLOCK_TOKENS : BLOCK_TOKENS * CHARS_PER_TOKEN) : undefined;
  const metrics = createSimulatorMetrics(models[0] ?? DEFAULT_MODELS[0]);
  const faultRandom = mulberry32(mixSeed(opts.seed, 0xfa17));
  const quizModel = { accuracy: opts.accuracy, accuracyDrop: opts.accuracy_drop, thinkTokens: opts.think_tokens };
  const startedAt = Math.floor(Date.now() / 1000);
  const serialTag = Date.now().toString(36);
  let serial = 0;
  let closing = false;

  const modelObject = (id: string) => ({ id, object: 'model', created: startedAt, owned_by: 'llm-sweep' });

  async function completion(endpoint: Endpoint, req: http.IncomingMessage, res: http.ServerResponse, arrivedAt: number, triton?: TritonRoute): Promise<void> {
    const log: Omit<RequestLogEntry, 'outcome' | 'durationMs'> & { outcome?: RequestLogEntry['outcome'] } = {
      method: req.method ?? 'POST',
      path: req.url ?? '',
      stream: false,
    };
    res.on('close', () => {
      const outcome = log.outcome ?? (closing ? 'shutdown' : 'aborted');
      onRequest?.({ ...log, status: res.headersSent ? res.statusCode : undefined, outcome, durationMs: realClock.now() - arrivedAt });
    });

    const raw = await readBody(req);
    if (raw === undefined) return; // client went away while sending
    if (raw === TOO_LARGE) {
      log.outcome = 'error';
      const message = `Request body too large: the simulator accepts at most ${MAX_BODY_BYTES} bytes.`;
      return sendJson(res, 413, errorBody(message, 'invalid_request_error', null, 'request_too_large'));
    }
    // Drawn for every valid request, so the n-th request's fault does not depend on headers.
    let fault: Fault | undefined;
    let request;
    try {
      request = endpoint === 'triton' ? parseTritonRequest(raw, triton!, tokenizer?.count) : parseRequest(endpoint, raw, tokenizer?.count);
      fault = drawFault(faultRandom, opts.fault_rate, opts.faults);
      const header = req.headers[FAULT_HEADER];
      if (typeof header === 'string') {
        const forced = parseFaultHeader(header);
        if (!forced.ok) throw new RequestError(400, errorBody(forced.message, 'invalid_request_error', null, 'invalid_fault'));
        fault = forced.fault;
      }
    } catch (e) {
      if (!(e instanceof RequestError)) throw e;
      log.outcome = 'error';
      // Triton answers a bad request with {"error": "<message>"}; the OpenAI routes with their object.
      return sendJson(res, e.status, endpoint === 'triton' ? { error: e.body.error.message } : e.body);
    }
    Object.assign(log, { stream: request.stream, model: request.model, promptTokens: request.promptTokens, fault: fault?.kind });

    if (fault && isStatusFault(fault.kind)) {
      const r = faultResponse(fault);
      log.outcome = 'fault';
      return send(res, r.status, r.headers, r.body);
    }

    const gen = generate({
      prompt: request.prompt,
      temperature: request.temperature,
      seed: request.seed ?? opts.seed,
      maxTokens: request.maxTokens,
      stopProbability: opts.stop_probability,
      stop: request.stop,
      quiz: quizModel,
      separateReasoning: endpoint === 'chat',
      ignoreEos: request.ignoreEos,
      minTokens: request.minTokens,
    });
    const n = gen.tokens.length;
    const reasoningTokens = gen.reasoningTokens ?? 0;
    const cache = prefixCache?.lookup(cacheUnits(request, tokenizer));
    // Without a tokenizer a block is 64 code points: 16 tokens at ceil(chars / 4).
    const cachedTokens = cache && Math.min(request.promptTokens, tokenizer ? cache.cached : cache.cached / CHARS_PER_TOKEN);
    const usage = usageOf(request.promptTokens, n, reasoningTokens, cachedTokens);
    const number = ++serial;
    const meta: ResponseMeta = {
      id: responseId(endpoint, serialTag + number.toString(36).padStart(6, '0')),
      created: Math.floor(Date.now() / 1000),
      model: request.model,
    };
    const stream = request.stream ? streamFormat(endpoint, meta, request.includeUsage, { returns: request.returns ?? NO_RETURNS, promptTokens: request.promptTokens }) : undefined;
    // reset/stall/malformed strike before content chunk `strikeAt` (a stream) or at the end.
    const midStream = fault?.kind === 'reset' || fault?.kind === 'stall' || fault?.kind === 'malformed';
    const strikeAt = !midStream ? -1 : stream ? Math.min(fault?.after ?? 0, n) : n;
    let sent = 0;

    if (stream) {
      res.writeHead(200, { ...SSE_HEADERS, 'x-request-id': meta.id });
      if (stream.first) res.write(stream.first);
      else res.flushHeaders();
    }

    /** The model's first token (or its end, with no tokens): TTFT and the prompt are done. */
    const firstToken = (): void => {
      log.ttftMs = realClock.now() - arrivedAt;
      metrics.observeTtft(log.ttftMs / 1000);
      metrics.addPromptTokens(request.promptTokens);
      cache?.store();
    };

    /** Applies the mid-stream fault; true when nothing more may be written. */
    const strike = (): boolean => {
      log.outcome = 'fault';
      log.completionTokens = sent;
      if (fault?.kind === 'malformed') {
        if (stream) {
          res.write(MALFORMED_LINE); // and the stream goes on
          return false;
        }
        send(res, 200, { 'content-type': 'application/json', 'x-request-id': meta.id }, MALFORMED_JSON);
        return true;
      }
      handle.cancel();
      if (fault?.kind === 'reset') {
        // Chunks written in this tick sit in the socket's cork until the next tick; a reset now would drop them.
        const socket = req.socket;
        setImmediate(() => socket.resetAndDestroy());
      }
      // stall: the slot is freed but the connection stays open, silent, until the client or shutdown closes it.
      return true;
    };

    const handle: SequenceHandle = scheduler.submit({
      promptTokens: request.promptTokens,
      cachedTokens,
      outputTokens: n,
      random: mulberry32(mixSeed(opts.seed, number)),
      itlFactor: fault?.kind === 'slow' ? fault.factor : 1,
      arrivedAt,
      // Observed when they happen (not at the model's deadlines), as a real server measures:
      // a timer fired late under load is late on the server's side too.
      onAdmit: () => metrics.observeQueue((realClock.now() - arrivedAt) / 1000),
      onToken: (index) => {
        if (index === 0) firstToken();
        metrics.addGenerationTokens(1);
        if (index === strikeAt && strike()) return;
        if (stream) res.write(index < reasoningTokens ? stream.reasoning(gen.tokens[index]) : stream.token(gen.tokens[index]));
        sent++;
      },
      onDone: () => {
        if (n === 0) firstToken();
        if (strikeAt === n && strike()) return;
        metrics.observeE2e((realClock.now() - arrivedAt) / 1000);
        metrics.addSuccess(gen.finishReason);
        log.outcome ??= 'ok';
        log.completionTokens = n;
        log.finishReason = gen.finishReason;
        if (cache) cache.store(cacheUnits({ texts: [gen.tokens.slice(reasoningTokens).join('')] }, tokenizer));
        if (stream) res.end(stream.end(gen.finishReason, usage));
        else {
          const reasoning = gen.tokens.slice(0, reasoningTokens).join('');
          const text = gen.tokens.slice(reasoningTokens).join('');
          sendJson(res, 200, completionBody(endpoint, meta, text, gen.finishReason, usage, reasoning, request.returns), meta.id);
        }
      },
    });
    res.on('close', () => handle.cancel());
    if (req.socket.destroyed) handle.cancel(); // the client left before we got here
  }

  const server = http.createServer({ noDelay: true, keepAlive: true }, (req, res) => {
    const arrivedAt = realClock.now();
    const path = (req.url ?? '/').split('?')[0];
    const generate = TRITON_ROUTE.exec(path);
    const route = generate ? { method: 'POST', endpoint: 'triton' as const } : (ROUTES[path] ?? (path.startsWith('/v1/models/') ? { method: 'GET' } : undefined));
    if (!route) return sendJson(res, 404, errorBody(`Invalid URL (${req.method} ${path})`, 'invalid_request_error'));
    if (req.method !== route.method) {
      res.setHeader('allow', route.method);
      return sendJson(res, 405, errorBody(`Method ${req.method} not allowed on ${path}; use ${route.method}.`, 'invalid_request_error'));
    }
    if (route.endpoint) {
      const triton = generate ? { model: decodeURIComponent(generate[1]), stream: generate[2] === 'generate_stream' } : undefined;
      completion(route.endpoint, req, res, arrivedAt, triton).catch((e: unknown) => {
        if (res.headersSent) res.destroy();
        else sendJson(res, 500, errorBody(`simulator bug: ${e instanceof Error ? e.message : String(e)}`, 'server_error'));
      });
    } else if (path === '/tokenize') {
      void readBody(req).then((raw) => {
        if (typeof raw !== 'string') return res.destroy();
        const answer = tokenizeAnswer(tokenizer, raw);
        sendJson(res, answer.status, answer.body);
      });
    } else if (path === '/metrics') {
      const body = metrics.render(scheduler);
      send(res, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, body);
    } else if (path === '/health') {
      sendJson(res, 200, { status: 'ok', active: scheduler.activeCount, queued: scheduler.queuedCount });
    } else if (path === '/v1/models') {
      sendJson(res, 200, { object: 'list', data: models.map(modelObject) });
    } else {
      sendJson(res, 200, modelObject(decodeURIComponent(path.slice('/v1/models/'.length))));
    }
  });
  server.on('connection', (socket) => socket.setNoDelay(true));
  // Node's default 5 s lets an idle pooled socket close just as a client reuses it between
  // cells: a spurious ECONNRESET in the results. Clients' own idle timeouts are shorter.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  return {
    server,
    scheduler,
    metrics,
    close: () => {
      closing = true;
      scheduler.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}

/**
 * Starts a simulator in this process; port 0 (the default) picks a free port. With a
 * grpcPort it also serves KServe v2 gRPC there, over the same scheduler (grpc-server.ts).
 */
export async function startSimulator(opts: Partial<SimulatorServerOptions> & ListenOptions = {}): Promise<RunningSimulator> {
  const sim = createSimulatorServer(opts);
  const host = opts.host ?? DEFAULT_HOST;
  const grpc = opts.grpcPort === undefined ? undefined : await startGrpcSide(sim, opts, host, opts.grpcPort);
  await new Promise<void>((resolve, reject) => {
    sim.server.once('error', reject);
    sim.server.listen(opts.port ?? 0, host, () => {
      sim.server.off('error', reject);
      resolve();
    });
  }).catch(async (e: unknown) => {
    // The gRPC side is already listening: without this the process would not exit.
    await Promise.all([sim.close(), grpc?.close()]);
    throw e;
  });
  const { port } = sim.server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const close = async () => {
    await Promise.all([sim.close(), grpc?.close()]);
  };
  return { baseUrl: `${origin}/v1`, origin, port, grpcPort: grpc?.port, grpcUrl: grpc?.url, close };
}

async function startGrpcSide(sim: SimulatorServer, opts: Partial<SimulatorServerOptions>, host: string, port: number) {
  // Loaded only when asked for: the HTTP-only simulator does not pay for parsing the .proto.
  const [{ simulatorGrpcHandlers }, { startKserveServer }] = await Promise.all([import('./grpc-server.js'), import('../grpc/server.js')]);
  const handlers = simulatorGrpcHandlers({ options: resolveSimulatorOptions(opts), scheduler: sim.scheduler, metrics: sim.metrics, onRequest: opts.onRequest });
  try {
    return await startKserveServer(handlers, { host, port });
  } catch (e) {
    await sim.close();
    throw e;
  }
}

/** The prompt as the prefix cache sees it: token ids, or code points when counting chars / 4. */
function cacheUnits(request: Pick<SimRequest, 'texts' | 'promptIds'>, tokenizer: Tokenizer | undefined): ArrayLike<number> {
  if (request.promptIds) return request.promptIds;
  if (tokenizer) return request.texts.flatMap((t) => tokenizer.encode(t));
  return Array.from(request.texts.join(''), (c) => c.codePointAt(0) ?? 0);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, requestId?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (requestId) headers['x-request-id'] = requestId;
  send(res, status, headers, JSON.stringify(body));
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) }).end(body);
}

const TOO_LARGE = Symbol('too large');

/** The request body as text, or undefined when the client went away before sending it all. */
function readBody(req: http.IncomingMessage): Promise<string | typeof TOO_LARGE | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? TOO_LARGE : Buffer.concat(chunks).toString('utf8')));
    req.on('close', () => resolve(undefined));
    req.on('error', () => resolve(undefined));
  });
}
