// The console's only way to the server: the REST API, as JSON. The browser sends the Basic credentials it asked
// for (on the API's 401) with every request to the same origin, so nothing here knows about users.

/** An error answer of the API: its SQLSTATE, message and, for SQL text, the 1-based position. */
export class ApiError extends Error {
  constructor(status, error) {
    super(error.message);
    this.status = status;
    this.sqlstate = error.sqlstate;
    this.detail = error.detail;
    this.hint = error.hint;
    this.position = error.position;
  }
}

export async function api(method, path, body) {
  const init = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError(response.status, { sqlstate: 'XX000', message: `${method} ${path}: ${response.status}, not JSON` });
  }
  if (!response.ok) throw new ApiError(response.status, json.error ?? { sqlstate: 'XX000', message: text });
  return json;
}

/** Runs SQL through POST /api/v1/sql; the results, one per statement. */
export async function runSql(sql, params) {
  const answer = await api('POST', '/api/v1/sql', params === undefined ? { sql } : { sql, params });
  return answer.results;
}

/** A SQL identifier quoted exactly, for names as stored (case and all). */
export function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

export function pathName(name) {
  return encodeURIComponent(name);
}
