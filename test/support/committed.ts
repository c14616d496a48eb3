import { EventBus } from '../../src/common/event-bus.js';
import type { EventRecord } from '../../src/event-log/event.types.js';
import { EVENTS_COMMITTED } from '../../src/state/state.store.js';
import type { TestApp } from './test-app.js';

/**
 * Resolves with the first event the app commits from now on that matches; rejects after `timeoutMs` with
 * `context()` in the message (what the test was waiting in).
 */
export function nextCommitted<E extends EventRecord>(app: TestApp, test: (e: EventRecord) => e is E, timeoutMs = 20_000, context: () => string = () => ''): Promise<E> {
  const bus = app.running.app.get(EventBus);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching event within ${timeoutMs} ms${context() ? ` (${context()})` : ''}`));
    }, timeoutMs);
    const off = bus.on(EVENTS_COMMITTED, (events) => {
      const match = events.find(test);
      if (!match) return;
      clearTimeout(timer);
      off();
      resolve(match);
    });
  });
}
