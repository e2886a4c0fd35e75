// A role as the catalog keeps it (storage/roles.ts holds it as JSON). The password is never kept: only its
// SCRAM-SHA-256 verifier in PostgreSQL's text form (scram-verifier.ts), or null when the role has none.

// A type, not an interface: storage takes it as a record of JSON values, which needs the implicit index signature.
export type RoleDef = {
  readonly name: string;
  readonly superuser: boolean;
  readonly createRole: boolean;
  readonly createDb: boolean;
  readonly login: boolean;
  /** `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, base64 parts, as in pg_authid.rolpassword. */
  readonly password: string | null;
  /** ALTER ROLE ... SET: setting name (lower case) to value, applied when a session of the role starts. */
  readonly settings: Readonly<Record<string, string>>;
  /** GRANT CREATE ON SCHEMA public: may create streams, tables, continuous queries and sinks. */
  readonly schemaCreate: boolean;
};

/** The attributes CREATE ROLE and ALTER ROLE may set; absent ones keep their value (or the default at CREATE). */
export interface RoleOptions {
  readonly superuser?: boolean;
  readonly createRole?: boolean;
  readonly createDb?: boolean;
  readonly login?: boolean;
  /** A cleartext password (hashed before it is stored), a verifier given as is, or null for PASSWORD NULL. */
  readonly password?: string | null;
}

/** Who runs a statement, as far as privileges go: the server resolves it from the session's user. */
export interface Actor {
  readonly name: string;
  readonly superuser: boolean;
  readonly createRole: boolean;
  /** May create objects (CREATE on schema public). */
  readonly mayCreate: boolean;
}

export const NEW_ROLE: Omit<RoleDef, 'name'> = {
  superuser: false, createRole: false, createDb: false, login: false, password: null, settings: {},
  schemaCreate: false,
};

/** What ALTER ROLE changes. `setting` null in a reset is RESET ALL. */
export type RoleAlteration =
  | { readonly kind: 'options'; readonly options: RoleOptions }
  | { readonly kind: 'rename'; readonly to: string }
  | { readonly kind: 'set'; readonly setting: string; readonly value: string }
  | { readonly kind: 'reset'; readonly setting: string | null };

/**
 * A stored role record as a RoleDef. Attributes a record lacks (written before they existed) take the defaults of a
 * new role, so adding an attribute needs no change of the data format.
 */
export function roleFromRecord(record: { readonly name: string } & Readonly<Record<string, unknown>>): RoleDef {
  const flag = (key: string): boolean => record[key] === true;
  const password = typeof record.password === 'string' ? record.password : null;
  const settings = typeof record.settings === 'object' && record.settings !== null
    ? record.settings as Readonly<Record<string, string>> : {};
  return {
    name: record.name, superuser: flag('superuser'), createRole: flag('createRole'), createDb: flag('createDb'),
    login: flag('login'), password, settings, schemaCreate: flag('schemaCreate'),
  };
}
