/**
 * A results folder that cannot be written (a full disk, a read-only file system, no
 * permission): a RunError (exit 3) that names the path and the cause in words, so the run
 * stops with one clear line instead of a stack trace, and says how to go on.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { RunError } from '../errors.js';

const CAUSES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'an I/O error on the device',
  EFBIG: 'the file is larger than the file system allows',
  ENOENT: 'the folder is gone (removed while the run was writing?)',
  ENOTDIR: 'a file is in the way where a folder should be',
  EISDIR: 'a folder is in the way where a file should be',
  EMFILE: 'too many open files',
};

export class WriteFault extends RunError {
  constructor(
    /** The file or folder that could not be written. */
    readonly path: string,
    /** The errno code, e.g. ENOSPC. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WriteFault';
  }
}

/** `e` (an fs error) as a WriteFault about `path`; a WriteFault passes through. */
export function writeFault(e: unknown, path: string): WriteFault {
  if (e instanceof WriteFault) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  const cause = Object.hasOwn(CAUSES, code) ? CAUSES[code] : ((e as Error | undefined)?.message ?? 'write failed');
  return new WriteFault(path, code, `cannot write ${path}: ${cause} (${code})`);
}

/**
 * mkdir -p that says why it failed: Node's recursive mkdir reports ENOENT on a read-only
 * file system, so the first missing folder is made alone to learn the real cause.
 */
export function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    let first = dir;
    while (!existsSync(dirname(first)) && dirname(first) !== first) first = dirname(first);
    try {
      mkdirSync(first);
    } catch (inner) {
      throw writeFault(inner, dir);
    }
    throw writeFault(e, dir);
  }
}
