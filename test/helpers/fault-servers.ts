/**
 * Raw TCP servers on 127.0.0.1 that misbehave below HTTP, the way real networks and broken
 * servers do: a full listen backlog (connects hang), headers trickled a byte at a time, a
 * stream cut by FIN inside a chunk or by a reset, a stream that stalls. Each answers every
 * request the same way; `close()` ends every socket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface RawServer {
  /** http://127.0.0.1:port/v1 */
  baseUrl: string;
  port: number;
  /** Requests whose headers arrived. */
  requests: number;
  close(): Promise<void>;
}

/** What to do with a connection once a request's headers have arrived. */
export type RawBehaviour = (socket: net.Socket) => void;

export async function startRawServer(behaviour: RawBehaviour): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const out: RawServer = { baseUrl: '', port: 0, requests: 0, close: async () => {} };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      out.requests += 1;
      behaviour(socket);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  out.port = (server.address() as net.AddressInfo).port;
  out.baseUrl = `http://127.0.0.1:${out.port}/v1`;
  out.close = () =>
    new Promise<void>((r) => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return out;
}

/** An SSE content chunk of an OpenAI chat stream. */
export function sseChunk(content: string, finish: string | null = null): string {
  return `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
}

/** One HTTP/1.1 chunk of chunked transfer encoding. */
export function httpChunk(text: string): string {
  return `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
}

export const SSE_HEAD = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: keep-alive\r\n\r\n';

/** Writes `parts` one after another, `gapMs` apart, then calls `then` (unless the socket is gone). */
export function writeSlowly(socket: net.Socket, parts: readonly string[], gapMs: number, then?: () => void): void {
  let i = 0;
  const next = () => {
    if (socket.destroyed) return;
    if (i < parts.length) {
      socket.write(parts[i++]);
      setTimeout(next, gapMs);
    } else then?.();
  };
  next();
}

export interface BacklogServer {
  port: number;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * A listening socket whose accept queue is full: a child process listens with backlog 1 and
 * then blocks its event loop, so the kernel completes no more handshakes and drops new SYNs
 * (Linux, tcp_abort_on_overflow=0). A connect to it hangs until the client gives up: what a
 * server too busy to accept looks like.
 */
export async function startBacklogFullServer(): Promise<BacklogServer> {
  const code = `
    const net = require('node:net');
    const s = net.createServer();
    s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(String(s.address().port) + '\\n', () => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      });
    });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('exit', (c) => reject(new Error(`backlog server exited (${c})`)));
  });
  // Fill the accept queue: these complete their handshake (or hang) and are never accepted.
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    fillers.push(s);
  }
  await new Promise((r) => setTimeout(r, 200));
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: async () => {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
    },
  };
}
