import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deletion records (one row per deleted file, with the event of its run) and the events' `uid`, which makes
 * appending a spooled event or a run's outcome idempotent.
 */
export class DeletionRecords1796083200000 implements MigrationInterface {
  name = 'DeletionRecords1796083200000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.options.type === 'postgres';
    const idColumn = postgres ? 'id BIGSERIAL PRIMARY KEY' : 'id INTEGER PRIMARY KEY AUTOINCREMENT';
    await runner.query('ALTER TABLE events ADD COLUMN uid VARCHAR(64)');
    await runner.query('CREATE UNIQUE INDEX events_uid ON events (uid)');
    await runner.query(
      `CREATE TABLE deletions (${idColumn}, event_seq BIGINT NOT NULL, at BIGINT NOT NULL, volume_name VARCHAR(255) NOT NULL, path VARCHAR(4400) NOT NULL, bytes BIGINT NOT NULL)`,
    );
    await runner.query('CREATE INDEX deletions_path ON deletions (path, event_seq)');
    await runner.query('CREATE INDEX deletions_event ON deletions (event_seq)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE deletions');
    await runner.query('DROP INDEX events_uid');
    await runner.query('ALTER TABLE events DROP COLUMN uid');
  }
}
