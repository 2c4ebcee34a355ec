import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  type Database,
  deliveriesRepository,
  type InboxWrite,
  inboxRepository,
  migrateToLatest,
  newId,
  openDatabase,
  organizationsRepository,
  outboxRepository,
  traineeWrite,
  vacancyWrite,
  webhookEndpointsRepository,
} from '@corridor/db';
import { TraineeProfile, VacancyInput } from '@corridor/domain';
import { createDeliverySweeper, newWebhookSecret } from '@corridor/notify';
import { sql } from 'kysely';
import { databaseRuleBookSource } from '../../packages/evaluation/src/index.ts';
import {
  buildHandlers,
  corridorCoalesce,
  corridorRoutes,
  notificationDeps,
  startJobSystem,
  workerConcurrency,
} from '../../packages/jobs/src/index.ts';
import {
  type CorridorJobs,
  createBullmqRuntime,
  createInProcessRuntime,
  createOutboxRelay,
  defaultCoalesce,
  type JobRuntime,
  type OutboxRoutes,
  silentLogger,
} from '../../packages/queue/src/index.ts';
import { generateTrainees, generateVacancies } from './generator.ts';
import { machineLine } from './machine.ts';

// Notifications (issue 5) on real PostgreSQL (a fresh schema) and, by default, BullMQ on Redis (a fresh queue
// prefix; BENCH_RUNTIME=in-process for the in-process runtime). Seeded directly: a training provider, an employer
// with one webhook endpoint subscribed to placement.proposed, generated trainees and vacancies, proposed
// placements. Every `placement.proposed` outbox event then fans out to one signed webhook (the employer's
// endpoint) and three inbox items (employer, trainee, provider). No SMTP server is configured, so no email.
// The webhook receiver is the test suite's signature-verifying one, in a child process.
//   1. loopback throughput: N events committed at once → webhooks verified at the receiver (target ≥ 2,000/s,
//      zero duplicates); for comparison, the same pipeline with one deliver job per delivery, and with one fan-out
//      job per event;
//   2. a receiver that takes 50 ms per request (target ≥ 500 deliveries/s);
//   3. inbox writes: batched insert vs one INSERT per item (target ≥ 5,000/s batched);
//   4. single events ~10/s: domain commit → first webhook arrival (target p95 ≤ 2 s).

const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl =
  process.env.BENCH_RUNTIME === 'in-process' ? undefined : (process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');
const N = Number(process.env.BENCH_NOTIFY_EVENTS ?? 20_000);
const SLOW_N = Number(process.env.BENCH_NOTIFY_SLOW_EVENTS ?? 10_000);
const NAIVE_N = Number(process.env.BENCH_NOTIFY_NAIVE_EVENTS ?? 2_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LATENCY_EVENTS = Number(process.env.BENCH_NOTIFY_LATENCY_EVENTS ?? 200);
const LATENCY_GAP_MS = 100;
const INBOX_ITEMS = 60_000;
const INBOX_NAIVE_ITEMS = 3_000;
const INBOX_BATCH = 600; // one notify.fanout job's worth: 200 events × 3 recipients
const SLOW_MS = 50;
const ALLOW = '127.0.0.1/32';
const schema = `bench_notify_${process.pid}`;
const prefix = `bench_notify_${process.pid}`;
const runtimeName = redisUrl ? 'BullMQ on Redis' : 'in-process runtime';

const log = (line: string) => process.stdout.write(`${line}\n`);
const rate = (n: number, ms: number) => Math.round((n * 1000) / ms);
const fmt = (n: number) => n.toLocaleString('en');
const range = (xs: number[]) =>
  xs.length === 1 ? fmt(xs[0]!) : `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))} (${xs.map(fmt).join(', ')})`;

// ---- the receiver (child process) -----------------------------------------------------------------------------

interface ReceiverStats {
  /** The receiver process's CPU time so far. */
  cpuMicros: number;
  arrivals: number;
  distinct: number;
  maxPerId: number;
  rejected: number;
  firstAt: number;
  lastAt: number;
  byPlacement?: Record<string, number>;
}

class Receiver {
  private pending: ((m: unknown) => void)[] = [];
  private serial: Promise<unknown> = Promise.resolve();
  url = '';
  constructor(private readonly child: ChildProcess) {
    child.on('message', (m) => this.pending.shift()?.(m));
  }
  static async start(): Promise<Receiver> {
    const child = fork(join(import.meta.dirname, 'notify-receiver.ts'), [], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const r = new Receiver(child);
    r.url = ((await r.next()) as { url: string }).url;
    return r;
  }
  private next(): Promise<unknown> {
    return new Promise((resolve) => this.pending.push(resolve));
  }
  private request<T>(message: object): Promise<T> {
    const run = this.serial.then(() => {
      const answer = this.next();
      this.child.send(message);
      return answer as Promise<T>;
    });
    this.serial = run.catch(() => {});
    return run;
  }
  configure = (secrets: string[], delayMs: number) => this.request({ cmd: 'configure', secrets, delayMs });
  reset = (delayMs: number) => this.request({ cmd: 'reset', delayMs });
  stats = (arrivals = false) => this.request<ReceiverStats>({ cmd: 'stats', arrivals });
  /** Waits until `distinct` webhook ids have arrived (or throws after `ms`). */
  async until(distinct: number, ms: number): Promise<ReceiverStats> {
    const deadline = Date.now() + ms;
    for (;;) {
      const s = await this.stats();
      if (s.distinct >= distinct) return s;
      if (Date.now() > deadline)
        throw new Error(`only ${s.distinct} of ${distinct} webhooks arrived within ${ms / 1000} s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async close() {
    this.child.disconnect();
    await once(this.child, 'exit');
  }
}

// ---- seeding ---------------------------------------------------------------------------------------------------

interface World {
  providerId: string;
  employerId: string;
  endpointSecret: string;
  /** Proposed placements, handed out to events in order. */
  placements: { id: string; vacancyId: string; traineeId: string; score: number; rank: number }[];
}

async function seed(database: Database, receiverUrl: string, placementCount: number): Promise<World> {
  const db = database.db;
  const provider = await organizationsRepository.create(db, {
    name: 'Bench provider',
    kind: 'training_provider',
    country: 'PH',
  });
  const employer = await organizationsRepository.create(db, {
    name: 'Bench employer',
    kind: 'employer',
    country: 'DE',
  });
  const endpointSecret = newWebhookSecret();
  await webhookEndpointsRepository.create(db, {
    organizationId: employer.id,
    url: receiverUrl,
    events: ['placement.proposed', 'placement.accepted', 'placement.matched'],
    secret: endpointSecret,
  });
  const VACANCIES = 50;
  const traineeCount = Math.ceil(placementCount / VACANCIES);
  const vacancyIds: string[] = [];
  for (const v of generateVacancies(VACANCIES, 2, 'bench-notify')) {
    const w = vacancyWrite(VacancyInput.parse({ ...v, status: 'open' }));
    await db
      .insertInto('vacancies')
      .values({
        ...w,
        employer_id: employer.id,
        created_by_org_id: employer.id,
        terms: JSON.stringify(w.terms),
        requirements: JSON.stringify(w.requirements),
        cost_sharing: JSON.stringify(w.cost_sharing),
      })
      .execute();
    vacancyIds.push(w.id);
  }
  const traineeIds: string[] = [];
  let rows: ReturnType<typeof traineeWrite>[] = [];
  const flush = async () => {
    if (rows.length === 0) return;
    await db
      .insertInto('trainees')
      .values(rows.map((w) => ({ ...w, owner_org_id: provider.id })))
      .execute();
    rows = [];
  };
  for (const p of generateTrainees(traineeCount, 5, 'bench-notify')) {
    const w = traineeWrite(TraineeProfile.parse(p));
    traineeIds.push(w.id);
    rows.push(w);
    if (rows.length === 1_000) await flush();
  }
  await flush();
  // Trainees across vacancies, so that consecutive events name different trainees and vacancies.
  const placements: World['placements'] = [];
  for (let t = 0; t < traineeIds.length && placements.length < placementCount; t++)
    for (let v = 0; v < vacancyIds.length && placements.length < placementCount; v++)
      placements.push({
        id: newId(),
        vacancyId: vacancyIds[v]!,
        traineeId: traineeIds[t]!,
        score: Math.round((0.5 + ((t * 7 + v * 13) % 50) / 100) * 1000) / 1000,
        rank: 1 + (t % 20),
      });
  for (let i = 0; i < placements.length; i += 2_000)
    await db
      .insertInto('placements')
      .values(
        placements.slice(i, i + 2_000).map((p) => ({
          id: p.id,
          vacancy_id: p.vacancyId,
          trainee_id: p.traineeId,
          status: 'proposed' as const,
          source: 'shortlist' as const,
          match_round_id: null,
          score: p.score,
          rank: p.rank,
          breakdown: '[]',
          pathways: '[]',
          pack_versions: '{}',
          below_skill: false,
          employer_decision: null,
          trainee_decision: null,
          withdrawn_reason: null,
        })),
      )
      .execute();
  await sql`ANALYZE`.execute(db);
  return { providerId: provider.id, employerId: employer.id, endpointSecret, placements };
}

let nextPlacement = 0;
function proposals(world: World, n: number): (typeof world.placements)[number][] {
  const out = [];
  for (let i = 0; i < n; i++) out.push(world.placements[nextPlacement++ % world.placements.length]!);
  return out;
}
const proposedEvent = (p: World['placements'][number]) => ({
  type: 'placement.proposed',
  aggregateType: 'placement' as const,
  aggregateId: p.id,
  payload: {
    placementId: p.id,
    vacancyId: p.vacancyId,
    traineeId: p.traineeId,
    from: null,
    to: 'proposed',
    score: p.score,
    rank: p.rank,
    source: 'shortlist',
  },
});

/** Commits `n` placement.proposed events in one transaction; returns the commit time (ms since epoch). */
async function commitEvents(database: Database, world: World, n: number): Promise<number> {
  const events = proposals(world, n).map(proposedEvent);
  await database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < events.length; i += 5_000) await outboxRepository.append(trx, events.slice(i, i + 5_000));
  });
  return Date.now();
}

// ---- the job side ----------------------------------------------------------------------------------------------

/** Leaves nothing of a run's queues in Redis (completed jobs are removed as they finish; this takes the rest). */
async function removeQueues(queuePrefix: string) {
  if (!redisUrl) return;
  const cleaner = createBullmqRuntime({ redisUrl, prefix: queuePrefix, log: silentLogger });
  await cleaner.counts(); // opens every catalog queue
  for (const q of cleaner.queues()) await q.obliterate({ force: true });
  await cleaner.close();
}

interface System {
  stop(): Promise<void>;
}

/** As deployed: `startJobSystem` (fan-out jobs of up to 200 events, deliver jobs of 50 deliveries). */
async function batchedSystem(database: Database, queuePrefix: string): Promise<System> {
  const jobs = await startJobSystem({ redisUrl, queuePrefix, webhookAllow: ALLOW }, database, silentLogger, {
    workers: true,
    relay: true,
  });
  return {
    async stop() {
      await jobs.stop();
      await removeQueues(queuePrefix);
    },
  };
}

type Unbatched = 'one fan-out job per event' | 'one deliver job per delivery';

/**
 * The comparisons: the same handlers, relay, sweeper and worker concurrency as `startJobSystem`, with one of the two
 * batchings undone: either every event gets its own notify.fanout job (no coalescing), or every delivery its own
 * notify.deliver job (a `notifications.due` event split into single-delivery jobs).
 */
async function unbatchedSystem(database: Database, queuePrefix: string, variant: Unbatched): Promise<System> {
  const bullmq = redisUrl ? createBullmqRuntime({ redisUrl, prefix: queuePrefix, log: silentLogger }) : undefined;
  const runtime: JobRuntime<CorridorJobs> = bullmq ?? createInProcessRuntime({ log: silentLogger });
  const notify = notificationDeps({ webhookAllow: ALLOW }, {});
  await runtime.startWorkers(
    buildHandlers({
      database,
      ruleBooks: databaseRuleBookSource(database.db),
      today: () => new Date().toISOString().slice(0, 10),
      log: silentLogger,
      notifications: notify.deps,
    }),
    { concurrency: workerConcurrency },
  );
  const perDelivery: OutboxRoutes<CorridorJobs> = {
    ...corridorRoutes,
    'notifications.due': (event) =>
      (event.payload.deliveryIds as string[]).map((id, part) => ({
        job: 'notify.deliver' as const,
        payload: { deliveryIds: [id] },
        part,
      })),
  };
  const relay = createOutboxRelay({
    database,
    runtime,
    ...(variant === 'one deliver job per delivery'
      ? { routes: perDelivery, coalesce: corridorCoalesce }
      : { routes: corridorRoutes, coalesce: defaultCoalesce }),
    batchSize: 1_000,
    log: silentLogger,
  });
  relay.start();
  const sweeper = createDeliverySweeper({ database, queuedForMs: notify.queuedForMs, log: silentLogger });
  sweeper.start();
  return {
    async stop() {
      await sweeper.stop();
      await relay.stop();
      await runtime.close();
      await notify.close();
      await removeQueues(queuePrefix);
    },
  };
}

// ---- phases ----------------------------------------------------------------------------------------------------

interface Run {
  events: number;
  perSecond: number;
  seconds: number;
  arrivals: number;
  distinct: number;
  maxPerId: number;
  rejected: number;
  /** CPU per notification: this process (relay, workers, senders) and the receiver's process. */
  workerCpuMicros: number;
  receiverCpuMicros: number;
}

const cpuOf = (u: NodeJS.CpuUsage) => u.user + u.system;

/** N events committed at once; time from the commit to the last webhook's arrival. */
async function drain(database: Database, world: World, receiver: Receiver, n: number, delayMs: number): Promise<Run> {
  await receiver.reset(delayMs);
  const receiverCpu = (await receiver.stats()).cpuMicros;
  const committedAt = await commitEvents(database, world, n);
  const cpu = process.cpuUsage(); // from the commit: the insert of the events is not counted
  const s = await receiver.until(n, 300_000);
  const workerCpu = cpuOf(process.cpuUsage(cpu));
  // Give a late duplicate the chance to show up before counting.
  await new Promise((r) => setTimeout(r, 500));
  const after = await receiver.stats();
  const ms = s.lastAt - committedAt;
  return {
    events: n,
    perSecond: rate(n, ms),
    seconds: ms / 1000,
    arrivals: after.arrivals,
    distinct: after.distinct,
    maxPerId: after.maxPerId,
    rejected: after.rejected,
    workerCpuMicros: Math.round(workerCpu / n),
    receiverCpuMicros: Math.round((s.cpuMicros - receiverCpu) / n),
  };
}

const describe = (r: Run) =>
  `${fmt(r.events)} events in ${r.seconds.toFixed(2)} s = ${fmt(r.perSecond)}/s; receiver: ${fmt(r.arrivals)} arrivals, ` +
  `${fmt(r.distinct)} distinct webhook-ids, ${r.arrivals - r.distinct} duplicates, ${r.rejected} rejected; CPU a ` +
  `notification: ${r.workerCpuMicros} µs here, ${r.receiverCpuMicros} µs in the receiver`;

async function inboxWrites(database: Database) {
  // Realistic items: the ones the pipeline rendered, re-addressed to fresh event ids.
  const sample = await database.db
    .selectFrom('inbox_items')
    .select(['recipient_kind', 'recipient_id', 'event_type', 'subject_trainee_id', 'title', 'body', 'data'])
    .limit(3_000)
    .execute();
  const item = (i: number): InboxWrite => {
    const s = sample[i % sample.length]!;
    return {
      recipient: { kind: s.recipient_kind as 'organization' | 'trainee', id: s.recipient_id },
      eventId: newId(),
      eventType: s.event_type,
      subjectTraineeId: s.subject_trainee_id,
      title: s.title,
      body: s.body,
      data: s.data as Record<string, unknown>,
    };
  };
  const batched: number[] = [];
  const naive: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const items = Array.from({ length: INBOX_ITEMS }, (_, i) => item(i));
    let t0 = performance.now();
    for (let i = 0; i < items.length; i += INBOX_BATCH)
      await inboxRepository.insertMany(database.db, items.slice(i, i + INBOX_BATCH));
    batched.push(rate(items.length, performance.now() - t0));
    const single = Array.from({ length: INBOX_NAIVE_ITEMS }, (_, i) => item(i));
    t0 = performance.now();
    for (const it of single) await inboxRepository.insertMany(database.db, [it]);
    naive.push(rate(single.length, performance.now() - t0));
  }
  return { batched, naive };
}

async function latencies(database: Database, world: World, receiver: Receiver) {
  await receiver.reset(0);
  const committed = new Map<string, number>();
  const start = Date.now();
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    const wait = start + i * LATENCY_GAP_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const [p] = proposals(world, 1);
    // The domain write: the proposal's row and its event, in one transaction.
    await database.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('placements')
        .set({ rank: p!.rank, updated_at: new Date() })
        .where('id', '=', p!.id)
        .execute();
      await outboxRepository.append(trx, [proposedEvent(p!)]);
    });
    committed.set(p!.id, Date.now());
  }
  await receiver.until(LATENCY_EVENTS, 60_000);
  const s = await receiver.stats(true);
  const ms = [...committed].map(([id, at]) => s.byPlacement![id]! - at).sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)]!;
  return { p50: q(0.5), p95: q(0.95), max: q(1), events: ms.length, duplicates: s.arrivals - s.distinct };
}

// ---- main ------------------------------------------------------------------------------------------------------

log(`notifications — ${machineLine()}`);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
log(`runtime: ${runtimeName}; PostgreSQL schema ${schema}; receiver in a child process; load average ${load()}`);

const receiver = await Receiver.start();
const database = await openDatabase({ url, schema, poolMax: 10 });
try {
  await migrateToLatest(database.db, schema);
  const needed = ROUNDS * (N + SLOW_N) + 2 * NAIVE_N + LATENCY_EVENTS + 1_000;
  const t0 = performance.now();
  const world = await seed(database, receiver.url, Math.min(needed, 100_000));
  log(
    `seeded ${fmt(world.placements.length)} proposed placements in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  await receiver.configure([world.endpointSecret], 0);

  const fast: Run[] = [];
  const slow: Run[] = [];
  let system = await batchedSystem(database, `${prefix}_a`);
  try {
    await drain(database, world, receiver, 1_000, 0); // warm-up: JIT, connections, prepared plans
    for (let round = 0; round < ROUNDS; round++) {
      const r = await drain(database, world, receiver, N, 0);
      log(`  loopback, batched jobs: ${describe(r)}`);
      fast.push(r);
    }
    for (let round = 0; round < ROUNDS; round++) {
      const r = await drain(database, world, receiver, SLOW_N, SLOW_MS);
      log(`  receiver taking ${SLOW_MS} ms, batched jobs: ${describe(r)}`);
      slow.push(r);
    }
    const lat = await latencies(database, world, receiver);
    log(
      `  commit → first webhook arrival, ${lat.events} single events at ${1000 / LATENCY_GAP_MS}/s: ` +
        `p50 ${lat.p50} ms, p95 ${lat.p95} ms, max ${lat.max} ms; ${lat.duplicates} duplicates`,
    );
    await system.stop();

    const unbatched: { variant: Unbatched; run: Run }[] = [];
    for (const variant of ['one deliver job per delivery', 'one fan-out job per event'] as const) {
      system = await unbatchedSystem(database, `${prefix}_${unbatched.length}`, variant);
      const run = await drain(database, world, receiver, NAIVE_N, 0);
      log(`  loopback, ${variant}: ${describe(run)}`);
      unbatched.push({ variant, run });
      await system.stop();
    }

    const inbox = await inboxWrites(database);
    log(
      `  inbox writes: batched (${INBOX_BATCH} items a statement) ${range(inbox.batched)}/s; ` +
        `one INSERT per item ${range(inbox.naive)}/s`,
    );
    const statuses = await deliveriesRepository.countByStatus(database.db);
    log(`  ledger after the run: ${JSON.stringify(statuses)}`);

    const dup = [...fast, ...slow, ...unbatched.map((u) => u.run)].reduce((n, r) => n + (r.arrivals - r.distinct), 0);
    log('');
    log(
      `RESULT (${runtimeName}) loopback ${range(fast.map((r) => r.perSecond))} notifications/s [target ≥ 2,000], ` +
        `${dup} duplicates; 50 ms receiver ${range(slow.map((r) => r.perSecond))}/s [target ≥ 500]; ` +
        `inbox ${range(inbox.batched)}/s batched [target ≥ 5,000]; commit → webhook p95 ${lat.p95} ms [target ≤ 2,000]; ` +
        unbatched.map((u) => `${u.variant} ${fmt(u.run.perSecond)}/s`).join('; '),
    );
  } catch (err) {
    await system.stop().catch(() => {});
    throw err;
  }
} finally {
  await receiver.close();
  if (!process.env.BENCH_KEEP) await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(database.db);
  await database.close();
}
