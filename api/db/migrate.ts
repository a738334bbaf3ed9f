/**
 * Applies drizzle/ migrations at start, on PGlite and PostgreSQL alike.
 *
 * Several API processes may start at once against one PostgreSQL, so the journal table is
 * created idempotently and the whole run happens in one transaction that first locks the journal
 * table: a second process waits, then sees the migrations already applied. (A table lock rather
 * than an advisory lock keeps the SQL portable, docs/architecture.md §6.)
 */
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { rowsOf, type Db } from './client.ts';

const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

export async function migrate(db: Db): Promise<number> {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  for (let attempt = 0; ; attempt++) {
    try {
      await db.execute(sql`create table if not exists counterpay_migrations (
        hash text primary key, tag_millis bigint not null, applied_at timestamptz not null default now())`);
      break;
    } catch (err) {
      // Two processes racing on CREATE TABLE IF NOT EXISTS can collide in the catalog (23505/42P07).
      const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code;
      if (attempt < 3 && (code === '23505' || code === '42P07')) continue;
      throw err;
    }
  }
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table counterpay_migrations in exclusive mode`);
    const applied = rowsOf<{ hash: string }>(await tx.execute(sql`select hash from counterpay_migrations`));
    const done = new Set(applied.map((r) => r.hash));
    let count = 0;
    for (const migration of migrations) {
      if (done.has(migration.hash)) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) await tx.execute(sql.raw(statement));
      }
      await tx.execute(sql`insert into counterpay_migrations (hash, tag_millis) values (${migration.hash}, ${migration.folderMillis})`);
      count++;
    }
    return count;
  });
}
