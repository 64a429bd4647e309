/**
 * Byte-exact recordings of real servers live in shared/fixtures/wire/, beside the repo
 * (CI clones the repo with shared/ next to it). A git worktree sits one level deeper
 * (e.g. wt/<branch>/), so the ancestors of the repo are searched too. A missing fixture
 * fails the test rather than skipping it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function findWireDir(): string {
  const primary = path.resolve(repoRoot, '../shared/fixtures/wire');
  let dir = path.resolve(repoRoot, '..');
  for (;;) {
    const candidate = path.join(dir, 'shared/fixtures/wire');
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return primary;
    dir = parent;
  }
}

export const wireDir = findWireDir();

/** The fixture's bytes, as the server sent them. */
export function readWire(relative: string): Uint8Array {
  const file = path.join(wireDir, relative);
  if (!existsSync(file)) throw new Error(`wire fixture not found: ${file} (shared/ must sit beside the repo)`);
  const buf = readFileSync(file);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
