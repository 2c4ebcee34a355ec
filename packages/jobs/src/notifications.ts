import type { Config } from '@corridor/config';
import {
  createEmailSender,
  createWebhookSender,
  DEFAULT_ENDPOINT_FAILURE,
  DEFAULT_RETRY,
  type DeliverOptions,
  type DescribeRuleChange,
  type EndpointFailurePolicy,
  type FanOutOptions,
  parseWebhookAllowList,
  type RetryPolicy,
} from '@corridor/notify';
import type { RuleBook } from '@corridor/rules';

export interface NotificationDeps {
  fanOut: Omit<FanOutOptions, 'describeRuleChange'>;
  deliver: DeliverOptions;
}

/** "Rule X changed on date D": the pathway's name, the version's effective date and the criteria's labels. */
export function ruleChangeDescriber(book: RuleBook): DescribeRuleChange {
  return (pathwayId, packVersion, criteria) => {
    const version = book.versions(pathwayId).find((v) => v.version === packVersion);
    const pack = version ? book.get(pathwayId, version.effectiveFrom) : undefined;
    const labels = new Map((pack?.criteria ?? []).map((c) => [c.id, c.label]));
    return {
      pathwayName: version?.name ?? pathwayId,
      effectiveFrom: version?.effectiveFrom ?? null,
      criteria: criteria.map((id) => ({ id, label: labels.get(id) ?? id })),
    };
  };
}

/** Tunables for the notification jobs; tests shorten them, operators rarely need to. */
export interface NotificationTuning {
  retry?: RetryPolicy;
  endpointFailure?: EndpointFailurePolicy;
  /** Default 60 s. */
  digestWindowMs?: number;
  /** How often the sweeper hands over due retries and digests. Default 1 s. */
  sweepIntervalMs?: number;
  /** A try holds its deliveries this long before the sweeper may retry them (worker died). Default 60 s. */
  leaseMs?: number;
  /** Per-request webhook timeout. Default 10 s. */
  webhookTimeoutMs?: number;
  /** Sends in flight per notify.deliver job. Default 50. */
  parallel?: number;
}

export type NotifyConfig = Partial<
  Pick<Config, 'smtpUrl' | 'smtpFrom' | 'webhookAllow' | 'publicUrl' | 'host' | 'port'>
>;

/** Builds the senders (SMTP pool, webhook agent) and options from configuration; `close` releases them. */
export function notificationDeps(config: NotifyConfig, tuning: NotificationTuning) {
  const appUrl = (config.publicUrl ?? `http://${config.host ?? '127.0.0.1'}:${config.port ?? 3000}`).replace(/\/$/, '');
  const email = config.smtpUrl
    ? createEmailSender(config.smtpUrl, config.smtpFrom ?? 'Corridor <notifications@corridor.invalid>')
    : undefined;
  const webhooks = createWebhookSender({
    policy: parseWebhookAllowList(config.webhookAllow),
    timeoutMs: tuning.webhookTimeoutMs ?? 10_000,
  });
  const leaseMs = tuning.leaseMs ?? 60_000;
  // A delivery handed to the queue is not handed over again for this long (the queue has it).
  const queuedForMs = Math.max(leaseMs, 60_000);
  const deps: NotificationDeps = {
    fanOut: {
      appUrl,
      emailEnabled: email !== undefined,
      digestWindowMs: tuning.digestWindowMs ?? 60_000,
      queuedForMs,
    },
    deliver: {
      appUrl,
      email,
      webhooks,
      retry: tuning.retry ?? DEFAULT_RETRY,
      endpointFailure: tuning.endpointFailure ?? DEFAULT_ENDPOINT_FAILURE,
      leaseMs,
      parallel: tuning.parallel ?? 50,
    },
  };
  return {
    deps,
    queuedForMs,
    async close() {
      email?.close();
      await webhooks.close();
    },
  };
}
