// Postgres COPY binary format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"): a fixed header, then per row a 16-bit field count and
// each field as a 32-bit length (-1 for NULL) and the type's binary representation; a 16-bit -1 ends the stream.
// The server skips the text parsing of every uuid, date, boolean and array, which is most of a COPY's CPU
// outside the indexes. Hand-written because it is the bulk-ingest hot path and the format is small and fully
// specified; the tests round-trip awkward values through a real COPY.

export const COPY_BINARY_HEADER = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
export const COPY_BINARY_TRAILER = Buffer.from([0xff, 0xff]);

const TEXT_OID = 25;
const PG_EPOCH_DAYS = 10_957; // 1970-01-01 to 2000-01-01
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i;
  HEX[97 + i] = 10 + i;
}

const digitAt = (s: string, i: number) => s.charCodeAt(i) - 48;

/**
 * Days since 1970-01-01 of a YYYY-MM-DD date, by the civil-calendar arithmetic of H. Hinnant's days_from_civil
 * (what Date.UTC computes, without three substrings and three number parses).
 */
export function daysFromCivil(value: string): number {
  let y = digitAt(value, 0) * 1000 + digitAt(value, 1) * 100 + digitAt(value, 2) * 10 + digitAt(value, 3);
  const m = digitAt(value, 5) * 10 + digitAt(value, 6);
  const d = digitAt(value, 8) * 10 + digitAt(value, 9);
  if (m <= 2) y--;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Appends rows in COPY binary format to a growable buffer. */
export class CopyBinaryWriter {
  buf: Buffer;
  pos = 0;
  constructor(initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The bytes written so far (a view, not a copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  fieldCount(n: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(n, this.pos);
    this.pos += 2;
  }

  null(): void {
    this.ensure(4);
    this.buf.writeInt32BE(-1, this.pos);
    this.pos += 4;
  }

  /** text, varchar, char(n), json: the UTF-8 bytes. */
  text(value: string): void {
    const n = value.length;
    this.ensure(4 + 3 * n);
    const buf = this.buf;
    const start = this.pos + 4;
    let written = n;
    if (n < 48) {
      // Short values: a loop beats the native call, unless a character needs more than one byte.
      for (let i = 0; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c > 0x7f) {
          written = buf.write(value, start, 'utf8');
          break;
        }
        buf[start + i] = c;
      }
    } else {
      written = buf.write(value, start, 'utf8');
    }
    buf.writeInt32BE(written, this.pos);
    this.pos = start + written;
  }

  nullableText(value: string | null | undefined): void {
    if (value === null || value === undefined) this.null();
    else this.text(value);
  }

  /** A uuid from its canonical 36-character form. */
  uuid(value: string): void {
    this.ensure(20);
    const buf = this.buf;
    let p = this.pos;
    buf.writeInt32BE(16, p);
    p += 4;
    let hi = -1;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c === 45) continue; // '-'
      const v = c < 128 ? HEX[c]! : -1;
      if (v < 0) throw new TypeError(`not a uuid: ${value}`);
      if (hi < 0) hi = v;
      else {
        buf[p++] = (hi << 4) | v;
        hi = -1;
      }
    }
    if (p !== this.pos + 20) throw new TypeError(`not a uuid: ${value}`);
    this.pos = p;
  }

  nullableUuid(value: string | null | undefined): void {
    if (value === null || value === undefined) this.null();
    else this.uuid(value);
  }

  /** A date from YYYY-MM-DD (already validated). */
  date(value: string): void {
    this.ensure(8);
    this.buf.writeInt32BE(4, this.pos);
    this.buf.writeInt32BE(daysFromCivil(value) - PG_EPOCH_DAYS, this.pos + 4);
    this.pos += 8;
  }

  /** UTF-8 bytes without a length, after the last field: scratch space that the next field overwrites. */
  scratchText(value: string): number {
    this.ensure(3 * value.length);
    return this.buf.write(value, this.pos, 'utf8');
  }

  nullableDate(value: string | null | undefined): void {
    if (value === null || value === undefined) this.null();
    else this.date(value);
  }

  bool(value: boolean): void {
    this.ensure(5);
    this.buf.writeInt32BE(1, this.pos);
    this.buf[this.pos + 4] = value ? 1 : 0;
    this.pos += 5;
  }

  /** A one-dimensional text[] without NULL elements. */
  textArray(values: readonly string[]): void {
    this.ensure(24);
    const lengthAt = this.pos;
    const buf = this.buf;
    const n = values.length;
    buf.writeInt32BE(n === 0 ? 0 : 1, lengthAt + 4); // ndim
    buf.writeInt32BE(0, lengthAt + 8); // has nulls
    buf.writeInt32BE(TEXT_OID, lengthAt + 12);
    if (n === 0) {
      buf.writeInt32BE(12, lengthAt);
      this.pos = lengthAt + 16;
      return;
    }
    buf.writeInt32BE(n, lengthAt + 16);
    buf.writeInt32BE(1, lengthAt + 20); // lower bound
    this.pos = lengthAt + 24;
    for (const v of values) this.text(v);
    this.buf.writeInt32BE(this.pos - lengthAt - 4, lengthAt);
  }
}
