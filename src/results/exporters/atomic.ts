import { renameSync, writeFileSync } from 'node:fs';

/** Writes to a temp file and renames it, so a reader (or a crash) never sees half a file. */
export function atomicWrite(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
