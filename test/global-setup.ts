// Drops the PostgreSQL databases the run created (and any a crashed run left behind).
import pg from 'pg';
import { PG_ADMIN_URL, TEST_DB_PREFIX } from './helpers/db';

async function dropTestDatabases() {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${TEST_DB_PREFIX}%`],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export async function setup() {
  if (process.env.TEST_DB === 'postgresql') await dropTestDatabases();
}

export async function teardown() {
  if (process.env.TEST_DB === 'postgresql') await dropTestDatabases();
}
