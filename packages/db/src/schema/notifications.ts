import type { ColumnType, Generated, JSONColumnType } from 'kysely';

export type DeliveryChannel = 'email' | 'webhook';
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';

export interface NotificationContactsTable {
  id: string;
  organization_id: string;
  email: string;
  name: string | null;
  locale: Generated<string>;
  created_at: ColumnType<Date, never, never>;
}

export interface NotificationPreferencesTable {
  recipient_kind: 'contact' | 'trainee';
  recipient_id: string;
  channels: ColumnType<Record<string, string[]>, string | undefined, string>;
  email_unsubscribed: Generated<boolean>;
  token: string;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface WebhookEndpointsTable {
  id: string;
  organization_id: string;
  url: string;
  events: string[];
  description: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  status: Generated<'enabled' | 'disabled'>;
  disabled_reason: string | null;
  disabled_at: Date | null;
  consecutive_failures: Generated<number>;
  failing_since: Date | null;
  throttled_until: Date | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface NotificationDeliveriesTable {
  id: string;
  dedupe_key: string;
  event_id: string;
  event_type: string;
  channel: DeliveryChannel;
  organization_id: string | null;
  contact_id: string | null;
  endpoint_id: string | null;
  trainee_id: string | null;
  subject_trainee_id: string | null;
  template: string;
  data: JSONColumnType<Record<string, unknown>>;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  queued_until: Date | null;
  lease_until: Date | null;
  last_error: string | null;
  last_status_code: number | null;
  sent_at: Date | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface InboxItemsTable {
  id: string;
  recipient_kind: 'organization' | 'trainee';
  recipient_id: string;
  event_id: string;
  event_type: string;
  subject_trainee_id: string | null;
  title: string;
  body: string;
  data: JSONColumnType<Record<string, unknown>>;
  created_at: ColumnType<Date, Date | undefined, never>;
  read_at: Date | null;
}

export interface DisclosuresTable {
  id: Generated<string>;
  trainee_id: string;
  organization_id: string;
  placement_id: string | null;
  fields: string[];
  reason: string;
  at: ColumnType<Date, never, never>;
}
