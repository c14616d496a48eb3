import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The append-only event log and its snapshots. */
export class CreateEventLog1763769600000 implements MigrationInterface {
  name = 'CreateEventLog1763769600000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.options.type === 'postgres';
    const seqColumn = postgres ? 'seq BIGSERIAL PRIMARY KEY' : 'seq INTEGER PRIMARY KEY AUTOINCREMENT';
    const idColumn = postgres ? 'id BIGSERIAL PRIMARY KEY' : 'id INTEGER PRIMARY KEY AUTOINCREMENT';
    await runner.query(
      `CREATE TABLE events (${seqColumn}, at BIGINT NOT NULL, type VARCHAR(64) NOT NULL, target VARCHAR(4400), payload TEXT NOT NULL)`,
    );
    await runner.query('CREATE INDEX events_type_seq ON events (type, seq)');
    await runner.query('CREATE INDEX events_target_seq ON events (target, seq)');
    await runner.query('CREATE INDEX events_at ON events (at)');
    await runner.query(
      `CREATE TABLE snapshots (${idColumn}, seq BIGINT NOT NULL, at BIGINT NOT NULL, version INTEGER NOT NULL, state TEXT NOT NULL)`,
    );
    await runner.query('CREATE INDEX snapshots_seq ON snapshots (seq)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE snapshots');
    await runner.query('DROP TABLE events');
  }
}
