export { DEFAULT_RETRY, parseRetryAfter, type RetryPolicy, retryDelayMs } from './backoff.ts';
export {
  DEFAULT_ENDPOINT_FAILURE,
  type DeliverOptions,
  type DeliverOutcome,
  deliver,
  type EndpointFailurePolicy,
} from './deliver.ts';
export { createEmailSender, type EmailSender, type OutgoingEmail } from './email.ts';
export {
  announceDue,
  DUE_CHUNK,
  type FanOutOptions,
  type FanOutOutcome,
  fanOut,
} from './fanout.ts';
export {
  channelAllowed,
  type DescribeRuleChange,
  NOTIFYING_EVENTS,
  type NotifyEvent,
  planNotices,
  pseudonymisedCandidate,
  type RuleChangeDescription,
  WEBHOOK_EVENT_TYPES,
} from './plan.ts';
export {
  addressRange,
  checkWebhookUrl,
  parseWebhookAllowList,
  STRICT_POLICY,
  type WebhookTargetPolicy,
  WebhookTargetRefusedError,
} from './ssrf.ts';
export { createDeliverySweeper, type Sweeper } from './sweeper.ts';
export { renderEmail, renderInbox, SUPPORTED_LOCALES } from './templates/render.ts';
export type { TemplateId } from './templates/types.ts';
export { createWebhookSender, newWebhookSecret, signWebhook, type WebhookSender } from './webhook.ts';
