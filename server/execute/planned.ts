// A statement for the planner and the engine. It is parsed when prepared (so a syntax error anywhere in a
// multi-statement string stops all of it, as in PostgreSQL), and planned against the catalog as it is when executed
// (so `CREATE STREAM s ...; INSERT INTO s ...` works in one string): the plan cache (plan-cache.ts) gives the plan
// made for the same text before unless the catalog changed since. The engine executes it; what stays here is the
// protocol's side: parameter types, field descriptions, notices and COPY framing.

import { parseStatement, planStatement } from '../../planner/plan';
import type { PlanContext, PlannerCatalog } from '../../planner/context';
import type { Statement } from '../../engine/statement';
import { executeStatement, resultSchema } from '../../engine/execute/execute';
import type { ExecutionResult } from '../../engine/execute/execution';
import type { Runtime } from '../../engine/runtime/runtime';
import type { StatementText } from '../../planner/split';
import type { Ast } from '../../planner/parse/ast';
import { SqlError, SQLSTATE } from '../../engine/errors';
import { TYPE_OID, T, type TypeName, type Value } from '../../engine/types';
import type { ExecContext, FieldDescription, PreparedStatement, SessionState, StatementResult } from '../backend';
import { fieldDescriptions } from './fields';
import { copyIn } from './copy-in';
import type { SessionTransactions } from './transactions';
import { planKey, type PlanCache, type VersionedPlan } from './plan-cache';
import { normalizeSetting, serverSetting, sessionTimeZone } from '../session/settings';
import { actorOf } from '../auth/roles';
import { isStringParamOid } from '../protocol/string-params';

/** Where planned statements run: the runtime, and each session's open transaction block. */
export interface ExecutionTarget {
  readonly runtime: Runtime;
  readonly transactions: SessionTransactions;
}

export function preparePlanned(
  { text, offset, tokens }: StatementText, paramTypeOids: readonly number[], target: ExecutionTarget,
  catalog: PlannerCatalog, plans: PlanCache, planEagerly: boolean, preparingSession: SessionState,
): PreparedStatement {
  const key = (session: SessionState): string => planKey(text, paramTypeOids, session.user);
  // Text planned before parsed then; other text is parsed now, so a syntax error stops a whole string.
  let ast: Ast | null = plans.has(key(preparingSession)) ? null : withPosition(offset, () => parseStatement(text, tokens));
  const context = (session: SessionState): PlanContext => ({
    paramTypes: paramTypeOids.map((oid) => typeOfOid(oid)),
    user: session.user,
    database: 'sluice',
    now: () => new Date(),
    serverSetting,
  });
  const planAnew = (session: SessionState): Statement => withPosition(offset, () => {
    ast ??= parseStatement(text, tokens);
    return planStatement(ast, catalog, context(session));
  });
  // The plan this statement executes until the catalog changes (only one the cache may keep: DDL plans afresh).
  let held: VersionedPlan | null = null;
  const plan = (session: SessionState): Statement => {
    if (held !== null && held.version === plans.version) return held.statement;
    const planned = plans.plan(key(session), () => planAnew(session));
    held = planned.reusable ? planned : null;
    return planned.statement;
  };
  // Extended protocol: bind now so that errors surface at Parse and parameter types are known for Describe.
  let first: Statement | null = null;
  let resolvedParams = [...paramTypeOids];
  if (planEagerly) {
    first = plan(preparingSession);
    resolvedParams = paramTypesOf(first).map((t, i) => resolvedOid(paramTypeOids[i], t.name));
  }
  return {
    sql: text,
    paramTypeOids: resolvedParams,
    transaction: null,
    async describe(session: SessionState): Promise<readonly FieldDescription[] | null> {
      const schema = resultSchema(first ?? plan(session));
      return schema === null ? null : fieldDescriptions(schema);
    },
    async execute(session: SessionState, params: readonly Value[], { signal }: ExecContext): Promise<StatementResult> {
      const statement = first ?? plan(session);
      first = null; // the catalog may change before the next execution
      const needed = paramTypesOf(statement).length;
      if (params.length < needed) {
        // The simple query protocol has no parameters: `$1` there is an error, as in PostgreSQL.
        throw new SqlError(SQLSTATE.undefined_parameter, `there is no parameter $${params.length + 1}`);
      }
      const result = await executeStatement(statement, {
        runtime: target.runtime, params, zone: sessionTimeZone(session), transaction: target.transactions.of(session),
        notice: (m) => session.notice(m), signal,
        actor: actorOf(target.runtime.roles, session.user, session.trusted === true),
        checkSetting: (name, value) => {
          const checked = normalizeSetting(name, value);
          return { name: checked.key, value: checked.value };
        },
      });
      return protocolResult(result);
    },
  };
}

/** "char", name and bpchar parameters are planned as text (string-params.ts gives their values). */
function typeOfOid(oid: number) {
  if (isStringParamOid(oid)) return T.text;
  for (const [name, o] of Object.entries(TYPE_OID)) if (o === oid && oid !== 0) return T[name as keyof typeof T];
  return T.unknown;
}

/**
 * The type a parameter is bound with: the declared one, or, if none (0) or unknown (705, which PostgreSQL resolves
 * from context as it does an undeclared one), the one the planner inferred, so Bind decodes its value as that type.
 * An OID Sluice has no type for is resolved from context too: kept, it would have Bind hand the plan a string where
 * it expects the inferred type (an internal error the protocol fuzzer found).
 */
function resolvedOid(declared: number | undefined, inferred: TypeName): number {
  const resolvesFromContext = declared === undefined || declared === 0 || declared === TYPE_OID.unknown ||
    (typeOfOid(declared) === T.unknown && !isStringParamOid(declared));
  return resolvesFromContext ? TYPE_OID[inferred] : declared;
}

function paramTypesOf(s: Statement) {
  switch (s.kind) {
    case 'select':
    case 'copy_to':
    case 'insert':
    case 'update':
    case 'delete':
      return s.paramTypes;
    default:
      return [];
  }
}

function protocolResult(result: ExecutionResult): StatementResult {
  switch (result.kind) {
    case 'command': return result;
    case 'rows': return { kind: 'rows', fields: fieldDescriptions(result.schema), rows: result.rows, tag: result.tag };
    case 'copy_in': return copyIn(result);
    case 'row_stream':
      return { kind: 'row_stream', fields: fieldDescriptions(result.schema), rows: result.rows, failed: result.failed, tag: result.tag };
    case 'copy_out': return result;
  }
}

/** Positions from the planner are relative to one statement; the client counts from the start of its string. */
function withPosition<R>(offset: number, f: () => R): R {
  try {
    return f();
  } catch (e) {
    if (e instanceof SqlError && e.position !== undefined && offset > 0) {
      throw new SqlError(e.code, e.message, { position: e.position + offset, detail: e.detail, hint: e.hint, severity: e.severity });
    }
    throw e;
  }
}
