/**
 * How much a counter grew across a run of scrapes, the way Prometheus' increase() reads it:
 * a drop is a restart (the counter began again from 0), a series missing from one scrape is
 * skipped, and a series that first appears after the first scrape was created in between,
 * so all of its value is growth.
 */
import type { PromSample, SampleIndex } from './types.js';

/** Labels as one string, name-sorted: the identity of a series. `omit` leaves one out (`le`). */
export function seriesKey(labels: Readonly<Record<string, string>>, omit?: string): string {
  return Object.keys(labels)
    .filter((k) => k !== omit)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

/** Increase of every series of `name` over the scrapes (in time order), by series key. */
export function increaseBySeries(scrapes: readonly SampleIndex[], name: string): Map<string, PromSample & { increase: number }> {
  const out = new Map<string, PromSample & { increase: number }>();
  const last = new Map<string, number>();
  scrapes.forEach((index, i) => {
    for (const s of index.get(name) ?? []) {
      if (!Number.isFinite(s.value)) continue;
      const key = seriesKey(s.labels);
      const prev = last.get(key);
      let grew = 0;
      if (prev === undefined) grew = i === 0 ? 0 : s.value;
      else grew = s.value >= prev ? s.value - prev : s.value;
      last.set(key, s.value);
      const entry = out.get(key);
      if (entry) entry.increase += grew;
      else out.set(key, { ...s, increase: grew });
    }
  });
  return out;
}

/** Increase of all series of `name` together. */
export function increase(scrapes: readonly SampleIndex[], name: string): number {
  let total = 0;
  for (const s of increaseBySeries(scrapes, name).values()) total += s.increase;
  return total;
}
