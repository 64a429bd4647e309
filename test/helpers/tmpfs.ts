/**
 * A small tmpfs for disk-fault tests: a full disk (a few KB) or a read-only file system.
 * Needs root and mount(8); where the machine cannot mount, `mountable` is false and the
 * tests that need it skip with a message saying why. Every mount is undone by `unmountAll`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const mounted: string[] = [];

function mountCmd(args: string[]): { ok: boolean; why: string } {
  const r = spawnSync('mount', args, { encoding: 'utf8' });
  return { ok: r.status === 0, why: (r.stderr || r.error?.message || `mount exited ${r.status}`).trim() };
}

/** Mounts a tmpfs of `size` (mount's syntax: 64k, 8m) at a new folder, read-only with `ro`. */
export function mountTmpfs(size: string, ro = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'llm-sweep-tmpfs-'));
  const r = mountCmd(['-t', 'tmpfs', '-o', `size=${size}${ro ? ',ro' : ''}`, 'tmpfs', dir]);
  if (!r.ok) throw new Error(`cannot mount a tmpfs at ${dir}: ${r.why}`);
  mounted.push(dir);
  return dir;
}

/** Changes a mounted tmpfs's size (making room on a full disk). */
export function resizeTmpfs(dir: string, size: string): void {
  const r = mountCmd(['-o', `remount,size=${size}`, dir]);
  if (!r.ok) throw new Error(`cannot resize the tmpfs at ${dir}: ${r.why}`);
}

export function unmountAll(): void {
  for (const dir of mounted.splice(0)) {
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether this machine lets us mount a tmpfs, and why not. */
export function probeMount(): { mountable: boolean; why?: string } {
  try {
    mountTmpfs('16k');
    unmountAll();
    return { mountable: true };
  } catch (e) {
    return { mountable: false, why: (e as Error).message };
  }
}
