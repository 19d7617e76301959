// Gives memory back after bursts of analysis. Opening a workspace's files allocates a syntax mirror per file that is
// garbage a moment later; V8 grows its heap rather than collect while it has room, so a server that just opened 200
// files sits at its high-water mark. Once analysis has been quiet for a second and the heap V8 holds from the system
// has grown by more than a threshold since the last collection, this runs one full collection, the way an editor's
// idle time should be used. The heap held, not the heap in use, is the measure: V8's own collections keep the bytes
// in use low during a burst while the pages they emptied stay held, which is the memory the user sees.

import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const QUIET_MS = 1000;
const GROWTH_BYTES = 48 * 2 ** 20;

/** V8's collector, exposed at run time (the same as starting Node with --expose-gc); undefined if refused. */
function collector(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

export class IdleCollector {
  private readonly gc = collector();
  private timer: NodeJS.Timeout | undefined;
  private baseline = getHeapStatistics().total_heap_size;
  /** Called after each collection with the heap before and after, for the log. */
  onCollected?: (beforeBytes: number, afterBytes: number) => void;

  /** Call after each analysis: a collection follows once analyses have been quiet for a second. */
  busy(): void {
    if (!this.gc) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.collect(), QUIET_MS);
    this.timer.unref();
  }

  private collect(): void {
    this.timer = undefined;
    const held = getHeapStatistics().total_heap_size;
    if (!this.gc || held - this.baseline < GROWTH_BYTES) return;
    const before = getHeapStatistics().used_heap_size;
    // Two full collections: the first frees the garbage, the second lets V8 release the pages it emptied.
    this.gc();
    this.gc();
    const after = getHeapStatistics();
    this.baseline = after.total_heap_size;
    this.onCollected?.(before, after.used_heap_size);
  }
}
