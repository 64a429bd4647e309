/**
 * Runs plain-client.mjs, the yardstick for connection handling: a plain node:http client
 * that opens a new connection per request, in its own process like the CLI, on the same
 * fake server in the same test, so the two compare side by side.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./plain-client.mjs', import.meta.url));

export interface PlainRun {
  /** First send to last end, ms. */
  wallMs: number;
  /** Completed requests. */
  requests: number;
}

/** `count` requests of `body` to `url`, `concurrency` at a time. */
export function plainRun(url: string, body: unknown, count: number, concurrency: number): Promise<PlainRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [SCRIPT, url, JSON.stringify(body), String(count), String(concurrency)], { timeout: 60_000 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout) as PlainRun);
    });
  });
}
