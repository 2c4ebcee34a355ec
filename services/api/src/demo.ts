import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@corridor/config';
import pino from 'pino';
import { demoDataset } from './demo-data.ts';
import { loggerOptions } from './logger.ts';
import { embeddedAdminKey, type RunningService, startService } from './start.ts';

// `pnpm demo`: loads a realistic sample dataset through the public API and prints where to look.
// If the service is already running (pnpm start) it loads into that; otherwise it starts the service
// itself on the embedded default and keeps serving until Ctrl-C. Re-running it changes nothing.

const config = loadConfig();
const base = `http://${config.host}:${config.port}`;
const out = (line = '') => process.stdout.write(`${line}\n`);

async function isUp(): Promise<boolean> {
  try {
    return (await fetch(`${base}/healthz`)).ok;
  } catch {
    return false;
  }
}

let service: RunningService | undefined;
if (!(await isUp())) {
  // Quiet logs: the demo's own output is what the reader wants to see.
  service = await startService(config, pino({ ...loggerOptions('warn', false) }));
}
const adminKey = config.adminKey ?? service?.adminKey ?? embeddedAdminKey(config.dataDir).key;

async function api<T>(
  method: string,
  path: string,
  key: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface DemoState {
  organizations: Record<string, { id: string; key: string; kind: string; name: string }>;
  partnershipId: string;
}
const statePath = join(config.dataDir, 'demo.json');
let state: DemoState | undefined = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : undefined;
if (state) {
  // The database may have been reset since: reuse the demo's organizations only if they still exist.
  const first = Object.values(state.organizations)[0];
  const alive = first
    ? await fetch(`${base}/v1/organizations/${first.id}`, { headers: { authorization: `Bearer ${first.key}` } })
    : undefined;
  if (!alive?.ok) state = undefined;
}

const data = demoDataset();
if (!state) {
  const organizations: DemoState['organizations'] = {};
  for (const [handle, org] of Object.entries(data.organizations)) {
    const created = await api<{ id: string }>('POST', '/v1/organizations', adminKey, org);
    const { key } = await api<{ key: string }>('POST', `/v1/organizations/${created.id}/api-keys`, adminKey, {});
    organizations[handle] = { id: created.id, key, kind: org.kind, name: org.name };
  }
  for (const [agency, employer] of data.mandates) {
    await api('POST', `/v1/organizations/${organizations[agency]!.id}/mandates`, adminKey, {
      employerId: organizations[employer]!.id,
    });
  }
  const partnership = await api<{ id: string }>('POST', '/v1/partnerships', organizations.tripleWin!.key, {
    ...data.partnership,
    members: data.partnership.members.map((m) => ({ organizationId: organizations[m.handle]!.id, role: m.role })),
  });
  await api('POST', `/v1/partnerships/${partnership.id}/cohorts`, organizations.tripleWin!.key, data.cohort);
  state = { organizations, partnershipId: partnership.id };
  writeFileSync(statePath, JSON.stringify(state, null, 2), { mode: 0o600 });
}
const orgs = state.organizations;

const traineeReports = [];
for (const [handle, trainees] of Object.entries(data.trainees(state.partnershipId))) {
  const file = trainees.map((t) => JSON.stringify(t)).join('\n');
  traineeReports.push(
    await api<{ accepted: number; created: number }>(
      'POST',
      '/v1/trainees/bulk',
      orgs[handle]!.key,
      `${file}\n`,
      'application/x-ndjson',
    ),
  );
}
for (const v of data.vacancies(orgs, state.partnershipId)) {
  await api('POST', '/v1/vacancies', orgs[v.poster]!.key, v.body);
}

const trainees = traineeReports.reduce((n, r) => n + r.accepted, 0);
out();
out(`Corridor demo — ${service ? 'serving the embedded database' : 'loaded into the running service'} at ${base}`);
out();
out(
  `  ${trainees} trainees, ${data.vacancies(orgs, state.partnershipId).length} vacancies, ${Object.keys(orgs).length} organizations, 1 partnership with cohort ${data.cohort.name}`,
);
out();
out(`  API reference:   ${base}/docs`);
out(`  OpenAPI:         ${base}/openapi.json`);
out(`  Readiness:       ${base}/readyz`);
out();
out('  Keys (Authorization: Bearer <key>):');
for (const o of Object.values(orgs)) out(`    ${o.kind.padEnd(20)} ${o.name.padEnd(34)} ${o.key}`);
out(`    ${'platform admin'.padEnd(20)} ${''.padEnd(34)} ${adminKey}`);
out();
out('  Try:');
out(`    curl -s ${base}/v1/trainees?limit=5 -H "Authorization: Bearer ${orgs.manilaNursing!.key}"`);
out(
  `    curl -s ${base}/v1/vacancies -H "Authorization: Bearer ${orgs.pacificAgency!.key}"   # an agency sees its mandated employers' vacancies`,
);
out(`    curl -s ${base}/v1/partnerships/${state.partnershipId} -H "Authorization: Bearer ${orgs.tripleWin!.key}"`);
out(
  `    curl -s -X POST ${base}/v1/eligibility/check -H 'content-type: application/json' -d @docs/examples/eligibility-check.json`,
);
out(
  `    curl -s ${base}/v1/inbox -H "Authorization: Bearer ${orgs.klinikum!.key}"   # the employer's notifications (proposals arrive as matching runs)`,
);
out();
if (service) {
  out('Serving until Ctrl-C.');
  const stop = async () => {
    await service?.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
