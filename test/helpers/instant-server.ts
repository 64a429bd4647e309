/** A loopback server that drains each request body without keeping it and answers one small chat completion at once. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export interface InstantServer {
  /** base_url for a spec: http://127.0.0.1:{port}/v1 */
  baseUrl: string;
  close(): Promise<void>;
}

export async function startInstantServer(): Promise<InstantServer> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 } }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Starts one for the test file (beforeAll / afterAll); returns its base_url, known once the tests run. */
export function instantServerForFile(): () => string {
  let server: InstantServer | undefined;
  beforeAll(async () => {
    server = await startInstantServer();
  });
  afterAll(() => server?.close());
  return () => server!.baseUrl;
}
