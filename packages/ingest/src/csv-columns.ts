import { z } from 'zod';

// CSV is flat, profiles are not. A header names a field by its dotted path (occupation.isco08,
// consent.contactByEmail); the schema's JSON Schema says what type that field has, and the cell is read
// as that type: numbers and booleans as such, lists of codes separated by ';', and nested lists of
// objects (languages, qualifications, experience) as JSON in the cell.

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

type Coerce = (cell: string) => unknown;

function typeAt(schema: JsonSchema, path: string[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = schema;
  for (const key of path) {
    node = unwrap(node);
    node = node?.properties?.[key];
    if (!node) return undefined;
  }
  return unwrap(node);
}

function unwrap(node: JsonSchema | undefined): JsonSchema | undefined {
  if (!node) return node;
  const inner = node.anyOf?.find((n) => n.type !== 'null') ?? node.allOf?.[0];
  return inner && !node.type ? unwrap(inner) : node;
}

function coercerFor(node: JsonSchema | undefined): Coerce {
  const type = Array.isArray(node?.type) ? node?.type.find((t) => t !== 'null') : node?.type;
  switch (type) {
    case 'number':
    case 'integer':
      return (cell) => (/^-?\d+(\.\d+)?$/.test(cell.trim()) ? Number(cell) : cell);
    case 'boolean':
      return (cell) => {
        const v = cell.trim().toLowerCase();
        return v === 'true' || v === 'yes' || v === '1'
          ? true
          : v === 'false' || v === 'no' || v === '0'
            ? false
            : cell;
      };
    case 'array': {
      const itemType = unwrap(node?.items)?.type;
      if (itemType === 'object' || itemType === 'array') return parseJsonCell;
      return (cell) =>
        cell
          .split(';')
          .map((s) => s.trim())
          .filter(Boolean);
    }
    case 'object':
      return parseJsonCell;
    default:
      return (cell) => cell;
  }
}

function parseJsonCell(cell: string): unknown {
  try {
    return JSON.parse(cell);
  } catch {
    return cell; // the schema then names the field and says what it expected
  }
}

export interface CsvColumn {
  path: string[];
  coerce: Coerce;
}

export function csvColumnsFor(
  schema: z.ZodType,
  header: readonly string[],
): { columns: CsvColumn[]; unknown: string[] } {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const columns: CsvColumn[] = [];
  const unknown: string[] = [];
  for (const name of header) {
    const path = name.trim().split('.');
    const node = typeAt(json, path);
    if (!node) unknown.push(name);
    columns.push({ path, coerce: coercerFor(node) });
  }
  return { columns, unknown };
}

export function recordFromCells(columns: readonly CsvColumn[], cells: readonly string[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) {
    const cell = cells[i];
    if (cell === undefined || cell === '') continue; // empty cell: field absent
    const { path, coerce } = columns[i]!;
    let target = record;
    for (let k = 0; k < path.length - 1; k++) {
      const key = path[k]!;
      target[key] ??= {};
      target = target[key] as Record<string, unknown>;
    }
    target[path[path.length - 1]!] = coerce(cell);
  }
  return record;
}
