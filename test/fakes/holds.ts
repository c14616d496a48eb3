/** Where a fake can be held open: `reached` resolves once a call waits there, `release` lets it go on. */
export interface Hold {
  readonly reached: Promise<void>;
  readonly release: () => void;
}

/** A queue of holds: each `hold()` stops the next call that `pass()`es, until it is released. */
export class Holds {
  private readonly queue: Array<{ readonly arrive: () => void; readonly opened: Promise<void> }> = [];

  hold(): Hold {
    let release!: () => void;
    let arrive!: () => void;
    const opened = new Promise<void>((resolve) => (release = resolve));
    const reached = new Promise<void>((resolve) => (arrive = resolve));
    this.queue.push({ arrive, opened });
    return { reached, release };
  }

  /** Called by the fake where it can be held: waits if a hold is queued. */
  async pass(): Promise<void> {
    const next = this.queue.shift();
    if (!next) return;
    next.arrive();
    await next.opened;
  }
}
