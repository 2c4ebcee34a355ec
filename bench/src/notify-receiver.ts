import { startWebhookReceiver } from '../../test/notifications/receivers.ts';

// The webhook receiver of the notifications benchmark, in its own process so that its HTTP parsing and signature
// checks do not run on the event loop being measured. It is the test suite's receiver (every request verified with
// the Standard Webhooks library; a bad signature or stale timestamp is answered 400 and counted as rejected).
// Driven over IPC by notifications.bench.ts.

type Command =
  | { cmd: 'configure'; secrets: string[]; delayMs: number }
  | { cmd: 'reset'; delayMs: number }
  | { cmd: 'stats'; arrivals?: boolean };

const receiver = await startWebhookReceiver('/hooks');
let delayMs = 0;
receiver.respond = () => ({ status: 200, ...(delayMs > 0 ? { delayMs } : {}) });

function stats(withArrivals: boolean) {
  let maxPerId = 0;
  for (const n of receiver.counts.values()) maxPerId = Math.max(maxPerId, n);
  let firstAt = Number.POSITIVE_INFINITY;
  let lastAt = 0;
  for (const h of receiver.received) {
    firstAt = Math.min(firstAt, h.at);
    lastAt = Math.max(lastAt, h.at);
  }
  // First arrival per placement (the webhook body's data.placementId), for commit → arrival latencies.
  let byPlacement: Record<string, number> | undefined;
  if (withArrivals) {
    byPlacement = {};
    for (const h of receiver.received) {
      const id = (JSON.parse(h.body) as { data: { placementId: string } }).data.placementId;
      byPlacement[id] = Math.min(byPlacement[id] ?? Number.POSITIVE_INFINITY, h.at);
    }
  }
  const cpu = process.cpuUsage();
  return {
    cpuMicros: cpu.user + cpu.system,
    arrivals: receiver.received.length,
    distinct: receiver.counts.size,
    maxPerId,
    rejected: receiver.rejected,
    firstAt,
    lastAt,
    byPlacement,
  };
}

process.on('message', (m: Command) => {
  if (m.cmd === 'configure') {
    receiver.secrets.splice(0, receiver.secrets.length, ...m.secrets);
    delayMs = m.delayMs;
    process.send!({ ok: true });
  } else if (m.cmd === 'reset') {
    receiver.received.length = 0;
    receiver.counts.clear();
    receiver.rejected = 0;
    delayMs = m.delayMs;
    process.send!({ ok: true });
  } else if (m.cmd === 'stats') process.send!(stats(m.arrivals === true));
});
process.on('disconnect', () => {
  void receiver.close().then(() => process.exit(0));
});
process.send!({ url: receiver.url });
