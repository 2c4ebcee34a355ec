import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../schema/index.ts';

/** A database handle or a transaction: repositories take either, so callers decide the transaction boundary. */
export type Executor = Kysely<DB> | Transaction<DB>;
