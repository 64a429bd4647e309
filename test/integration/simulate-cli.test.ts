import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/llm-sweep.js');

function runCli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('llm-sweep simulate', () => {
  it('prints the base URL, serves requests, logs them with --log, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'simulate', '--port', '0', '--ttft-ms', '2', '--itl-ms', '1', '--jitter', '0', '--log'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const baseUrl = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += String(d);
        if (out.includes('\n')) resolve(out.trim());
      });
    });
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const res = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hello' }], max_tokens: 4 }),
    });
    expect(((await res.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(4);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/ttft 2 ms/);
    expect(stderr).toMatch(/POST \/v1\/chat\/completions 200 json ok 4 tok length ttft=[\d.]+ms \d+ ms/);
    // The server's own first-token time: at least the configured TTFT (a timer fires late, never early).
    expect(Number(/ttft=([\d.]+)ms/.exec(stderr)![1])).toBeGreaterThanOrEqual(1.5);
  });

  it('documents every model flag in --help', () => {
    const { code, stdout } = runCli(['simulate', '--help']);
    expect(code).toBe(0);
    for (const flag of ['--port', '--host', '--ttft-ms', '--prefill-ms-per-token', '--itl-ms', '--jitter', '--max-batch', '--batch-slowdown', '--stop-probability', '--seed', '--fault-rate', '--faults', 'x-simulator-fault']) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain('(default: 80)');
  });

  it('rejects bad values with exit 2, naming the flag', () => {
    const bad = runCli(['simulate', '--jitter', '2', '--faults', '500,teapot']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--jitter: .*1/);
    expect(bad.stderr).toMatch(/--faults: /);
    expect(runCli(['simulate', '--itl-ms', 'fast']).code).toBe(2);
  });

  it('exits 2 when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const r = spawnSync(process.execPath, [BIN, 'simulate', '--port', String(port)], { encoding: 'utf8' });
    blocker.close();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
  });

  it('names the flag whose port is taken when it serves gRPC too, and exits (the other side closed)', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'simulate', ...args], { encoding: 'utf8', timeout: 20_000 });
    const grpcTaken = run(['--port', '0', '--grpc-port', String(port)]);
    const httpTaken = run(['--port', String(port), '--grpc-port', '0']);
    const same = run(['--port', String(port + 1), '--grpc-port', String(port + 1)]);
    blocker.close();
    expect(grpcTaken.status).toBe(2);
    expect(grpcTaken.stderr).toContain(`port ${port} on 127.0.0.1 is in use; pick another with --grpc-port`);
    // Exit 2, not killed by the timeout: the gRPC side that did bind was closed.
    expect(httpTaken.status).toBe(2);
    expect(httpTaken.stderr).toContain(`port ${port} on 127.0.0.1 is in use; pick another with --port`);
    expect(same.status).toBe(2);
    expect(same.stderr).toContain('--port and --grpc-port are both');
  });
});
