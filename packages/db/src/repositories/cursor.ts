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
