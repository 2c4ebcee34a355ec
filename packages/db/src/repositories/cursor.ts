// Cursors are opaque to clients: the last id of the page, base64url-encoded, so the format can change later.
export const encodeCursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!UUID.test(id)) throw new InvalidCursorError('cursor is not one this API issued');
  return id;
}

/** Keyset pagination by id: asks for one row more than the page holds, to know whether a next page exists. */
export async function pageById<R extends { id: string }>(
  page: { limit: number; cursor?: string | undefined },
  fetch: (after: string | undefined, limit: number) => Promise<R[]>,
): Promise<{ items: R[]; nextCursor: string | null }> {
  const rows = await fetch(decodeCursor(page.cursor), page.limit + 1);
  const items = rows.slice(0, page.limit);
  return { items, nextCursor: rows.length > page.limit ? encodeCursor(items[items.length - 1]!.id) : null };
}

/** Cursors over a list inside a stored document (a round's result): the position of the page's last item. */
export const encodePositionCursor = (position: number): string => encodeCursor(`@${position}`);

export function decodePositionCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const match = /^@(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new InvalidCursorError('cursor is not one this API issued');
  return Number(match[1]);
}
