import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DB } from './schema/index.ts';

export interface DatabaseOptions {
  /** A postgres:// URL. Absent: embedded PGlite under dataDir. */
  url?: string | undefined;
  /** Embedded database folder; `memory://` keeps it in memory (tests). */
  dataDir?: string;
  /** Every connection's search_path: used by tests to isolate each file in its own schema. */
  schema?: string;
  poolMax?: number;
}

export interface Database {
  db: Kysely<DB>;
  pool: pg.Pool;
  mode: 'postgres' | 'embedded';
  /** The connection string other processes can use to reach this database (embedded: the socket server). */
  connectionString: string;
  close(): Promise<void>;
}

// Dates stay 'YYYY-MM-DD' strings as in the contract; a JS Date would shift them by the host's time zone.
const DATE_OID = 1082;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID ? (value: string) => value : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax ?? 10,
      types,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      pool,
      mode: 'postgres',
      connectionString: options.url,
      close: () => db.destroy(),
    };
  }
  return openEmbedded(options);
}

/**
 * PGlite (Postgres compiled to WASM) served over the Postgres wire protocol by pglite-socket, so the
 * embedded default runs exactly the same pg/kysely code as production. PGlite is a single connection:
 * the socket server's multiplexer would interleave transactions, so the pool holds one connection and
 * queries queue in the pool instead.
 */
async function openEmbedded(options: DatabaseOptions): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const dataDir = options.dataDir ?? './.corridor';
  let location = dataDir;
  if (!dataDir.startsWith('memory://')) {
    location = resolve(join(dataDir, 'pgdata'));
    mkdirSync(location, { recursive: true });
  }
  const pglite = await PGlite.create(location);
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const connectionString = `postgres://postgres@${server.getServerConn()}/postgres`;
  const pool = new pg.Pool({
    connectionString,
    max: 1,
    types,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    mode: 'embedded',
    connectionString,
    close: async () => {
      await db.destroy();
      await server.stop();
      await pglite.close();
    },
  };
}
