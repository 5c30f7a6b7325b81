// One set of models, two stores: the generated schemas and each migrations folder cannot drift.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { providers, schemaFor } from '../../scripts/prisma-schemas.mjs';
import pg from 'pg';
import { applyMigrations, pendingMigrationSql, withEngine } from '@/lib/db/migrate';
import { adapterFor, scratchAdapter } from '@/lib/db/adapters';
import { createPgDatabase, TEST_PROVIDER } from '../helpers/db';

const root = join(import.meta.dirname, '..', '..');
const committed = (p: string) => readFileSync(join(root, 'prisma', p, 'schema.prisma'), 'utf8');
const models = (schema: string) => schema.slice(schema.indexOf('// The one source of truth'));

describe('schemas and migrations', () => {
  it('generates a schema for SQLite and for PostgreSQL', () => {
    expect(providers).toEqual(['sqlite', 'postgresql']);
  });

  it.each(providers)('keeps prisma/%s/schema.prisma as models.prisma generates it', (provider) => {
    expect(committed(provider)).toBe(schemaFor(provider));
    expect(committed(provider)).toContain(`provider = "${provider}"`);
  });

  it('gives both stores the same models', () => {
    expect(models(committed('sqlite'))).toBe(models(committed('postgresql')));
    expect(models(committed('sqlite'))).toContain('model Call {');
  });

  it('has SQLite migrations that produce exactly the models', async () => {
    const sql = await pendingMigrationSql(
      join(root, 'prisma', 'sqlite', 'schema.prisma'),
      join(root, 'prisma', 'sqlite', 'migrations'),
      scratchAdapter('sqlite', mkdtempSync(join(tmpdir(), 'schema-test-'))),
    );
    expect(sql.replace(/--.*$/gm, '').trim()).toBe('');
  });

  // The engine cannot introspect PostgreSQL through the driver adapter here, so compare catalogs:
  // one database built by the migrations, one by the engine's DDL for the models as they are.
  it.runIf(TEST_PROVIDER === 'postgresql')(
    'has PostgreSQL migrations that produce exactly the models',
    async () => {
      const schema = join(root, 'prisma', 'postgresql', 'schema.prisma');
      const [migrated, fromModels] = [await createPgDatabase(), await createPgDatabase()];
      await applyMigrations(schema, join(root, 'prisma', 'postgresql', 'migrations'), adapterFor(migrated));
      const ddl = await withEngine(schema, adapterFor(fromModels), (engine) =>
        engine.diff({
          from: { tag: 'empty' },
          to: { tag: 'schemaDatamodel', files: [{ path: schema, content: readFileSync(schema, 'utf8') }] },
          script: true,
          exitCode: null,
          filters: { externalTables: [], externalEnums: [] },
        }),
      );
      await query(fromModels, ddl.stdout!);
      const catalog = (url: string) =>
        query(
          url,
          `SELECT table_name, column_name, data_type, is_nullable, column_default
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
         UNION ALL
         SELECT tablename, indexname, indexdef, '', '' FROM pg_indexes
           WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
         ORDER BY 1, 2`,
        );
      const built = await catalog(migrated);
      expect(built.length).toBeGreaterThan(20);
      expect(built).toEqual(await catalog(fromModels));
    },
  );
});

async function query(url: string, sql: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const res = await c.query(sql);
    return (Array.isArray(res) ? res.flatMap((r) => r.rows) : res.rows) as unknown[];
  } finally {
    await c.end();
  }
}
