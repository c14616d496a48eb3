import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock.js';
import { EventBus } from './event-bus.js';

/** Process-wide: the clock and the in-process bus. */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, EventBus],
  exports: [Clock, EventBus],
})
export class CommonModule {}
