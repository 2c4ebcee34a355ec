import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { generateTrainees } from './generator.ts';
import { machineLine } from './machine.ts';

// Single-profile writes: POST /v1/trainees against the real service (its own process, real PostgreSQL),
// loaded over loopback by autocannon from this process. Bounded in time; stops by itself.

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dbName = `corridor_bench_${process.pid}`;
const port = 3900 + (process.pid % 90);
const adminKey = 'bench-admin-key-0123456789';
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const databaseUrl = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);

let server: ChildProcess | undefined;
try {
  server = spawn(
    process.execPath,
    [...process.execArgv, join(import.meta.dirname, '..', '..', 'services', 'api', 'src', 'server.ts')],
    {
      // With REDIS_URL the service only writes (jobs go to worker processes, not started here): this measures the
      // API's own write path. Without it, the in-process eligibility jobs would share these two cores.
      env: {
        ...process.env,
        REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
        DATABASE_URL: databaseUrl,
        CORRIDOR_ADMIN_KEY: adminKey,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        DATABASE_POOL_MAX: '16',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {}
    if (i > 100) throw new Error('the service did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  const post = async (path: string, key: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return res.json() as Promise<{ id: string; key: string }>;
  };
  const org = await post('/v1/organizations', adminKey, {
    name: 'Bench provider',
    kind: 'training_provider',
    country: 'PH',
  });
  const { key } = await post(`/v1/organizations/${org.id}/api-keys`, adminKey, {});
  // Distinct realistic profiles (no externalRef: every request creates a trainee).
  const bodies = [...generateTrainees(2_000, 7)].map(({ externalRef: _x, ...p }) => JSON.stringify(p));
  let next = 0;

  const run = async (duration: number) =>
    autocannon({
      url: `${base}/v1/trainees`,
      method: 'POST',
      connections,
      duration,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
    });
  await run(3); // warm-up: JIT, connection pool, key cache
  const r = await run(seconds);
  console.log(`single-profile POST /v1/trainees — ${machineLine()}`);
  console.log(
    `  ${Math.round(r.requests.average).toLocaleString('en')} req/s over ${seconds} s with ${connections} connections; ` +
      `latency p50 ${r.latency.p50} ms, p90 ${r.latency.p90} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms; ` +
      `${r.non2xx} non-2xx, ${r.errors} errors`,
  );
} finally {
  server?.kill('SIGTERM');
  if (server) await once(server, 'exit');
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
