/**
 * Long synchronous work on the one thread, cut into slices: `due()` says whether the current slice has run for
 * its budget, `pause()` lets the event loop serve what waits (requests, timers, I/O) before the next slice.
 * SLICE_MS keeps any one slice well under the 50 ms the service allows itself to hold the loop.
 */
export const SLICE_MS = 8;

export class TimeSlices {
  private sliceStart = performance.now();

  constructor(private readonly budgetMs = SLICE_MS) {}

  /** Whether the current slice has used its budget (cheap enough to ask once per item). */
  due(): boolean {
    return performance.now() - this.sliceStart >= this.budgetMs;
  }

  /** Yields to the event loop (after I/O callbacks and timers), then starts a new slice. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }

  /** Pauses when the slice is due. */
  async maybePause(): Promise<void> {
    if (this.due()) await this.pause();
  }
}
