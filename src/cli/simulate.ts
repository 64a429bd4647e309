import { InvalidArgumentError, Option, type Command } from 'commander';
import { UserError } from '../errors.js';
import { FAULT_KINDS, simulatorSchema } from '../spec/target.js';
import { DEFAULT_HOST, startSimulator } from '../simulator/server.js';
import type { RequestLogEntry, SimulatorOptions } from '../simulator/types.js';
import { action, EXIT } from './common.js';

/** One flag per model parameter; help texts and defaults come from the spec schema. */
const MODEL_FLAGS: ReadonlyArray<[flag: string, key: keyof SimulatorOptions]> = [
  ['--ttft-ms <ms>', 'ttft_ms'],
  ['--prefill-ms-per-token <ms>', 'prefill_ms_per_token'],
  ['--itl-ms <ms>', 'itl_ms'],
  ['--jitter <ratio>', 'jitter'],
  ['--max-batch <n>', 'max_batch'],
  ['--batch-slowdown <ratio>', 'batch_slowdown'],
  ['--stop-probability <p>', 'stop_probability'],
  ['--seed <n>', 'seed'],
  ['--fault-rate <p>', 'fault_rate'],
  ['--faults <kinds>', 'faults'],
  ['--accuracy <p>', 'accuracy'],
  ['--accuracy-drop <p>', 'accuracy_drop'],
  ['--think-tokens <n>', 'think_tokens'],
  ['--tokenizer <name>', 'tokenizer'],
  ['--prefix-cache', 'prefix_cache'],
];

/** What the flag adds to the spec key's description. */
const FLAG_NOTES: Partial<Record<keyof SimulatorOptions, string>> = {
  seed: ', and of the text of requests that send no seed',
  faults: ', comma-separated',
};

interface SimulateFlags extends Partial<Record<string, unknown>> {
  port: number;
  grpcPort?: number;
  host: string;
  log?: boolean;
}

export function registerSimulate(program: Command): void {
  const defaults = simulatorSchema.parse({});
  const cmd = program
    .command('simulate')
    .description("start the bundled OpenAI-compatible simulator (chat, completions, models; SSE and JSON; vLLM's Prometheus /metrics; Triton gRPC with --grpc-port)")
    .option('--port <n>', 'TCP port (0 = any free port)', parsePort, 8000)
    .option('--grpc-port <n>', "also serve Triton's KServe v2 gRPC (ModelStreamInfer) on this port (0 = any free port)", parsePort)
    .option('--host <addr>', 'interface to bind', DEFAULT_HOST);
  for (const [flag, key] of MODEL_FLAGS) {
    const text = (simulatorSchema.shape[key].description ?? key).replace(/\.$/, '');
    const fallback = key === 'prefix_cache' ? 'off' : defaults[key] === undefined ? 'ceil(chars / 4)' : String(defaults[key]);
    const help = `${text[0].toLowerCase()}${text.slice(1)}${FLAG_NOTES[key] ?? ''} (default: ${fallback})`;
    if (key === 'prefix_cache') {
      cmd.addOption(new Option(flag, help)); // a switch: no value to parse
      continue;
    }
    const parser: (value: string) => unknown = key === 'faults' ? parseList : key === 'tokenizer' ? String : parseNumber;
    cmd.addOption(new Option(flag, help).argParser(parser));
  }
  cmd
    .option('--log', 'print one line per completion request on stderr (with ttft=: when the first token was really written)')
    .addHelpText(
      'after',
      `
Force a fault on one request with the header x-simulator-fault: <kind>[;param=value],
kinds ${FAULT_KINDS.join(', ')} or none; e.g. "429;retry-after=0", "reset;after=3",
"slow;factor=4". Prompt tokens = ceil(characters / 4) unless --tokenizer is given.
Honours ignore_eos and min_tokens. See docs/simulator.md.
Stop with Ctrl-C or SIGTERM.`,
    )
    .action(
      action(async (flags: SimulateFlags) => {
        const options = modelOptions(flags);
        const sim = await startSimulator({
          ...options,
          host: flags.host,
          port: flags.port,
          grpcPort: flags.grpcPort,
          onRequest: flags.log ? (e) => process.stderr.write(`${formatLogLine(e)}\n`) : undefined,
        }).catch((e: unknown) => {
          throw listenError(e, flags.host, flags.port, flags.grpcPort);
        });
        process.stdout.write(`${sim.baseUrl}\n`);
        if (sim.grpcUrl) process.stdout.write(`${sim.grpcUrl}\n`);
        process.stderr.write(
          `llm-sweep simulator: ttft ${options.ttft_ms} ms + ${options.prefill_ms_per_token} ms/prompt token, ` +
            `itl ${options.itl_ms} ms (+${options.batch_slowdown * 100}% per extra sequence), max batch ${options.max_batch}, ` +
            `jitter ${options.jitter}, fault rate ${options.fault_rate}${options.prefix_cache ? ', prefix cache on' : ''}. Ctrl-C to stop.\n`,
        );
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await sim.close();
        return EXIT.ok;
      }),
    );
}

/** The flags' model parameters, checked by the spec schema, with defaults filled in. */
function modelOptions(flags: SimulateFlags): SimulatorOptions {
  const input: Record<string, unknown> = {};
  for (const [, key] of MODEL_FLAGS) {
    const attr = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (flags[attr] !== undefined) input[key] = flags[attr];
  }
  const parsed = simulatorSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0]);
    const flag = MODEL_FLAGS.find(([, k]) => k === key)?.[0].split(' ')[0] ?? key;
    return `${flag}: ${issue.message}`;
  });
  throw new UserError(problems.join('\n'), problems);
}

function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return n;
}

function parseList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function listenError(e: unknown, host: string, port: number, grpcPort?: number): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  // Node names the port it could not bind; the gRPC side is bound first.
  const failedPort = (e as { port?: number }).port;
  if (code === 'EADDRINUSE' && grpcPort !== undefined && grpcPort === port && port !== 0) {
    return new UserError(`--port and --grpc-port are both ${port}: the HTTP and gRPC sides need ports of their own`);
  }
  if (code === 'EADDRINUSE' && grpcPort !== undefined && failedPort === grpcPort) {
    return new UserError(`port ${grpcPort} on ${host} is in use; pick another with --grpc-port (0 = any free port)`);
  }
  if (code === 'EADDRINUSE') return new UserError(`port ${port} on ${host} is in use; pick another with --port (0 = any free port)`);
  if (code === 'EACCES') return new UserError(`no permission to listen on port ${port}; use a port above 1023`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new UserError(`cannot listen on host ${host}: no such local address`);
  return e;
}

export function formatLogLine(e: RequestLogEntry): string {
  const parts = [
    e.method,
    e.path,
    e.status === undefined ? '---' : String(e.status),
    e.stream ? 'stream' : 'json',
    e.outcome,
  ];
  if (e.completionTokens !== undefined) parts.push(`${e.completionTokens} tok`);
  if (e.finishReason) parts.push(e.finishReason);
  if (e.fault) parts.push(`fault=${e.fault}`);
  if (e.ttftMs !== undefined) parts.push(`ttft=${e.ttftMs.toFixed(2)}ms`);
  parts.push(`${Math.round(e.durationMs)} ms`);
  return parts.join(' ');
}
