// --watch as kubectl does it: after the first listing, one more row (or JSON/YAML document) for
// every object that changed, until Ctrl-C (or `until` says the watch is over).
import { formatOf, renderDocument, renderRows, type ListView, type OutputFlags } from './output.js';

export interface WatchOptions<T> {
  flags: OutputFlags;
  view: ListView<T>;
  /** Rows already printed. */
  initial: readonly T[];
  fetch(): Promise<T[]>;
  key(item: T): string;
  /** Changes whenever the object does (its updatedAt). */
  version(item: T): string;
  until?(items: readonly T[]): boolean;
  /** Poll period. @defaultValue HODEI_WATCH_INTERVAL_MS or 1000 */
  intervalMs?: number;
}

export async function watchRows<T>(o: WatchOptions<T>): Promise<void> {
  const seen = new Map(o.initial.map((i) => [o.key(i), o.version(i)]));
  const format = formatOf(o.flags);
  const interval = o.intervalMs ?? (Number(process.env.HODEI_WATCH_INTERVAL_MS) || 1000);
  let headers = o.initial.length === 0 && o.flags.headers !== false;
  let stop = false;
  const onSigint = (): void => { stop = true; };
  process.once('SIGINT', onSigint);
  try {
    while (!stop) {
      const items = await o.fetch();
      const changed = items.filter((i) => seen.get(o.key(i)) !== o.version(i));
      for (const i of changed) seen.set(o.key(i), o.version(i));
      for (const i of changed) {
        const doc = renderDocument(format, i);
        if (doc !== null) process.stdout.write(format === 'yaml' ? `---\n${doc}` : JSON.stringify(i) + '\n');
        else if (format === 'name') process.stdout.write(o.view.name(i) + '\n');
      }
      if (changed.length && (format === 'table' || format === 'wide')) {
        process.stdout.write(renderRows(changed, o.view, { wide: format === 'wide', headers }));
        headers = false;
      }
      if (o.until?.(items)) return;
      await new Promise((r) => setTimeout(r, interval));
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}
