// Applies prisma/<provider>/migrations with Prisma's own schema engine compiled to WebAssembly,
// because the native engine that `prisma migrate deploy` runs cannot be downloaded offline.
// It records applied migrations in `_prisma_migrations` exactly as `prisma migrate deploy` does.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';

type EngineModule = typeof import('@prisma/schema-engine-wasm');

let engineModule: Promise<EngineModule> | undefined;

// Instantiated by hand so that no entry point needs Node 20's --experimental-wasm-modules.
function loadEngine(): Promise<EngineModule> {
  engineModule ??= (async () => {
    const bg = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as EngineModule & {
      __wbg_set_wasm(exports: WebAssembly.Exports): void;
    };
    const require = createRequire(import.meta.url);
    const wasmPath = join(
      require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/[^/\\]+$/, ''),
      'schema_engine_bg.wasm',
    );
    const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {
      './schema_engine_bg.js': bg as unknown as WebAssembly.ModuleImports,
    });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return engineModule;
}

function migrationsList(dir: string): MigrationList {
  const lockPath = join(dir, 'migration_lock.toml');
  const folders = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir: dir,
    lockfile: {
      path: 'migration_lock.toml',
      content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: folders.map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok', value: readFileSync(join(dir, name, 'migration.sql'), 'utf8') },
      },
    })),
  };
}

const noFilter = { externalTables: [], externalEnums: [] };

export async function withEngine<T>(
  schemaPath: string,
  adapter: SqlMigrationAwareDriverAdapterFactory,
  run: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadEngine();
  // The engine keeps its connections (and on SQLite, a lock) after freeing: close them ourselves.
  const opened: { dispose(): Promise<void> }[] = [];
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    connect: async () => {
      const conn = await adapter.connect();
      opened.push(conn);
      return conn;
    },
    connectToShadowDb: async () => {
      const conn = await adapter.connectToShadowDb();
      opened.push(conn);
      if (conn.provider === 'sqlite') {
        // The engine replays each migration into the shadow database as one executeRaw call, and
        // better-sqlite3 prepares one statement at a time: run parameterless SQL as a script.
        const executeRaw = conn.executeRaw.bind(conn);
        conn.executeRaw = async (q) => {
          if (q.args.length > 0) return executeRaw(q);
          await conn.executeScript(q.sql);
          return 0;
        };
      }
      return conn;
    },
  };
  const bound = bindMigrationAwareSqlAdapterFactory(tracked);
  const engine = await SchemaEngine.new(
    { datamodels: [[schemaPath, readFileSync(schemaPath, 'utf8')]] },
    () => {},
    bound,
  );
  try {
    return await run(engine);
  } catch (e) {
    // The engine reports adapter failures as "External error id#N": name the real cause.
    const id = /External error id#(\d+)/.exec(String(e))?.[1];
    const cause = id === undefined ? undefined : bound.errorRegistry.consumeError(Number(id));
    if (cause)
      throw new Error(
        `${String(e)}\ncaused by: ${cause.error instanceof Error ? cause.error.stack : JSON.stringify(cause.error)}`,
        { cause: e },
      );
    throw e;
  } finally {
    engine.free();
    // The engine may already have dropped a shadow database: closing what is left is best effort.
    await Promise.all(opened.map((c) => c.dispose().catch(() => {})));
  }
}

/** Applies every migration not yet applied; returns the names applied now. */
export async function applyMigrations(
  schemaPath: string,
  migrationsDir: string,
  adapter: SqlMigrationAwareDriverAdapterFactory,
): Promise<string[]> {
  return withEngine(schemaPath, adapter, async (engine) => {
    const out = await engine.applyMigrations({
      migrationsList: migrationsList(migrationsDir),
      filters: noFilter,
    });
    return out.appliedMigrationNames;
  });
}

/**
 * SQL that takes a database at the end of the migrations folder to the schema file, or, given
 * `fromSchema` (an earlier schema's text), from that schema to the schema file.
 */
export async function pendingMigrationSql(
  schemaPath: string,
  migrationsDir: string,
  adapter: SqlMigrationAwareDriverAdapterFactory,
  fromSchema?: string,
): Promise<string> {
  return withEngine(schemaPath, adapter, async (engine) => {
    const list = migrationsList(migrationsDir);
    const result = await engine.diff({
      from: fromSchema
        ? { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: fromSchema }] }
        : list.migrationDirectories.length
          ? { tag: 'migrations', ...list }
          : { tag: 'empty' },
      to: {
        tag: 'schemaDatamodel',
        files: [{ path: schemaPath, content: readFileSync(schemaPath, 'utf8') }],
      },
      script: true,
      exitCode: null,
      filters: noFilter,
    });
    return result.stdout ?? '';
  });
}
