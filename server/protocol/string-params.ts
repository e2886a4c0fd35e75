// Parameters a client declares in Parse with one of PostgreSQL's string types that Sluice has no type of its own
// for: "char" (18), name (19) and bpchar (1042). Drivers send them (JDBC's setString with stringtype, psycopg's
// name-typed catalog lookups, character(n) columns). The planner types them as text; their values are the text
// PostgreSQL's input function makes of the bytes, as the text a cast to text would give:
// - "char" keeps one byte (charin: the first byte, or the byte a '\ooo' escape names; charout writes a byte with
//   the high bit set as '\ooo' again, and NUL as '');
// - name is clipped to 63 bytes on a character boundary (namein);
// - bpchar's trailing spaces do not count (bpchar to text drops them, which is how comparisons see them).

import { SqlError, SQLSTATE } from '../../engine/errors';

const CHAR_OID = 18;
const NAME_OID = 19;
const BPCHAR_OID = 1042;
/** NAMEDATALEN - 1: the longest name in bytes. */
const MAX_NAME_BYTES = 63;

/** Whether `oid` is one of the string types above, planned as text. */
export function isStringParamOid(oid: number): boolean {
  return oid === CHAR_OID || oid === NAME_OID || oid === BPCHAR_OID;
}

/** The value of a parameter of a string type (isStringParamOid); `index` is 1-based, for error messages. */
export function stringParam(bytes: Buffer, binary: boolean, oid: number, index: number): string {
  switch (oid) {
    case CHAR_OID: return charOut(binary ? charRecv(bytes, index) : charIn(bytes));
    case NAME_OID: return nameIn(bytes, binary);
    default: return bytes.toString('utf8').replace(/ +$/, '');
  }
}

function charIn(bytes: Buffer): number {
  const octal = /^\\([0-7]{3})$/.exec(bytes.toString('latin1'));
  return octal !== null ? parseInt(octal[1], 8) & 0xff : bytes[0] ?? 0;
}

/** charrecv: exactly one byte. */
function charRecv(bytes: Buffer, index: number): number {
  if (bytes.length !== 1) {
    throw new SqlError(SQLSTATE.invalid_binary_representation, `incorrect binary data format in bind parameter ${index}`);
  }
  return bytes[0];
}

function charOut(byte: number): string {
  if (byte === 0) return '';
  return byte >= 0x80 ? `\\${byte.toString(8).padStart(3, '0')}` : String.fromCharCode(byte);
}

/** namein clips a long name; namerecv refuses it. */
function nameIn(bytes: Buffer, binary: boolean): string {
  if (bytes.length <= MAX_NAME_BYTES) return bytes.toString('utf8');
  if (binary) {
    throw new SqlError(SQLSTATE.name_too_long, 'identifier too long', {
      detail: `Identifier must be less than ${MAX_NAME_BYTES + 1} characters.`,
    });
  }
  let end = MAX_NAME_BYTES;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // back to the start of the character cut in two
  return bytes.toString('utf8', 0, end);
}
