import { CreateEventLog1763769600000 } from './1763769600000-create-event-log.js';
import { DeletionRecords1796083200000 } from './1796083200000-deletion-records.js';

/** Every migration, oldest first. `synchronize` is never used: the schema is exactly what these create. */
export const MIGRATIONS = [CreateEventLog1763769600000, DeletionRecords1796083200000];
