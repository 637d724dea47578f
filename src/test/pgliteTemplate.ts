import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder } from '../platform/db/client.ts';

/** The migration files (SQL and drizzle's journal), in a stable order. */
function migrationFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...migrationFiles(full));
    else out.push(full);
  }
  return out.sort();
}

/** A short hash of every migration file: names a template made from exactly these migrations. */
export function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of migrationFiles(migrationsFolder)) {
    hash.update(path.relative(migrationsFolder, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

let memo: Promise<Blob> | undefined;

/**
 * An empty, migrated PGlite data directory (a tar from `dumpDataDir`), made once per set of migrations and
 * kept in the temp folder for every test file and worker. Loading it takes a fraction of running the
 * migrations again in each test file (about a quarter on a loaded 2-core machine), which was most of a
 * test file's set-up time. A changed migration changes the hash, so a stale template is never used.
 */
export function migratedPgliteTemplate(): Promise<Blob> {
  memo ??= load();
  return memo;
}

async function load(): Promise<Blob> {
  const file = path.join(os.tmpdir(), `safeloop-pglite-template-${migrationsHash()}.tar`);
  if (fs.existsSync(file)) return new Blob([fs.readFileSync(file)]);
  const client = new PGlite();
  await migrate(drizzle({ client }), { migrationsFolder });
  const dump = await client.dumpDataDir('none');
  await client.close();
  // Written aside and renamed: a worker reading the file while another writes it sees all of it or nothing.
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(partial, file);
  return dump;
}
