/**
 * Byte-exact recordings of real servers, kept in the repo under test/fixtures/wire/ (see
 * its README for what each file is). A missing fixture fails the test rather than skipping
 * it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export const wireDir = path.join(repoRoot, 'test/fixtures/wire');

/** The fixture's bytes, as the server sent them. */
export function readWire(relative: string): Uint8Array {
  const file = path.join(wireDir, relative);
  if (!existsSync(file)) throw new Error(`wire fixture not found: ${file}`);
  const buf = readFileSync(file);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The fixture as UTF-8 text. */
export function readWireText(relative: string): string {
  return new TextDecoder().decode(readWire(relative));
}
