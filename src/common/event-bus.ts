import { Injectable, Logger } from '@nestjs/common';

/**
 * A topic of the in-process bus, carrying payloads of type `T`. Each topic is declared by the part that
 * publishes it (`EVENTS_COMMITTED` by the state store, `TALLY_CHANGED` by measuring), so subscribers depend on
 * their producer and never the other way round.
 */
export class Topic<T> {
  /** Never set: it only carries the payload type. */
  declare readonly payload: T;

  constructor(readonly name: string) {}
}

type Handler<T> = (payload: T) => void | Promise<void>;

/**
 * The one in-process bus: synchronous fan-out in subscription order. A failing subscriber (a throw or a rejected
 * promise) is logged and never reaches the publisher or the other subscribers, so a broken consumer (alerts,
 * metrics) can never stop the log from committing or cleanup from running. Async subscribers run on their own:
 * publishing does not wait for them.
 */
@Injectable()
export class EventBus {
  private readonly logger = new Logger(EventBus.name);
  private readonly handlers = new Map<Topic<unknown>, Array<Handler<unknown>>>();

  /** Calls `handler` with every payload published on `topic` from now on. Returns the unsubscribe function. */
  on<T>(topic: Topic<T>, handler: Handler<T>): () => void {
    const list = this.handlers.get(topic) ?? [];
    list.push(handler as Handler<unknown>);
    this.handlers.set(topic, list);
    return () => {
      const index = list.indexOf(handler as Handler<unknown>);
      if (index >= 0) list.splice(index, 1);
    };
  }

  publish<T>(topic: Topic<T>, payload: T): void {
    const list = this.handlers.get(topic);
    if (!list) return;
    for (const handler of [...list]) {
      try {
        const result = handler(payload);
        if (result instanceof Promise) result.catch((error: unknown) => this.failed(topic, error));
      } catch (error) {
        this.failed(topic, error);
      }
    }
  }

  private failed(topic: Topic<unknown>, error: unknown): void {
    this.logger.error(`A subscriber of ${topic.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}
