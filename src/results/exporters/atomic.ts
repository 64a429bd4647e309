import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { writeFault } from '../write-fault.js';

/**
 * Writes to a temp file and renames it, so a reader (or a crash) never sees half a file.
 * When the write fails (a full disk) the temp file is removed and the old file stays as it
 * was; the error is a WriteFault naming the file.
 */
export function atomicWrite(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw writeFault(e, path);
  }
}
