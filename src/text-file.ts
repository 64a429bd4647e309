/**
 * Reading a text file the user named (the spec, a prompt file) without trusting it: only a
 * regular file is read (a FIFO would block forever, /dev/zero would fill the memory), and
 * only up to a size, checked before reading. Errors say why in words, for the caller to
 * place (`file:line:col` of the entry that named it).
 */
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

export class FileProblem extends Error {
  constructor(
    /** Why, as a phrase that follows the file's name: "is not a regular file (a FIFO)". */
    readonly why: string,
    readonly code?: string,
  ) {
    super(why);
    this.name = 'FileProblem';
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

export function formatMb(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MB`;
}

/** The UTF-8 text of `path` (symlinks followed); throws a FileProblem. */
export function readTextFile(path: string, maxBytes: number): string {
  let st: Stats;
  try {
    // stat, not open: opening a FIFO blocks until someone writes to it.
    st = statSync(path);
  } catch (e) {
    throw problemOf(e);
  }
  if (!st.isFile()) throw new FileProblem(`is not a regular file (${kindOf(st)})`, st.isDirectory() ? 'EISDIR' : 'ENOTREG');
  if (st.size > maxBytes) throw new FileProblem(`is ${formatMb(st.size)}; ${formatMb(maxBytes)} at most`, 'EFBIG');
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw problemOf(e);
  }
  try {
    // The file may have changed since the stat; read at most the cap, whatever it says now.
    const size = Math.min(fstatSync(fd).size, maxBytes);
    const buf = Buffer.allocUnsafe(size + 1);
    let got = 0;
    while (got <= size) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    if (got > maxBytes) throw new FileProblem(`is larger than ${formatMb(maxBytes)}`, 'EFBIG');
    return buf.toString('utf8', 0, got).replace(/^\uFEFF/, '');
  } catch (e) {
    throw e instanceof FileProblem ? e : problemOf(e);
  } finally {
    closeSync(fd);
  }
}

function problemOf(e: unknown): FileProblem {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new FileProblem('does not exist', code);
    case 'EISDIR':
      return new FileProblem('is a folder, not a file', code);
    case 'EACCES':
    case 'EPERM':
      return new FileProblem('cannot be read (permission denied)', code);
    case 'ELOOP':
      return new FileProblem('is a loop of symbolic links', code);
    default:
      return new FileProblem(`cannot be read (${(e as Error).message})`, code);
  }
}
