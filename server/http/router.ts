// Routes: a method and a path pattern whose `:name` segments become params. Adding a route is one line in
// routes.ts plus its handler.

import type { Handler } from './request';

/** Who may call a route: authenticated users, or anyone (the probes, which must work without credentials). */
export type RouteAccess = 'authenticated' | 'public';

interface Route {
  readonly method: string;
  readonly pattern: string;
  readonly segments: readonly string[];
  readonly handler: Handler;
  readonly access: RouteAccess;
}

export type RouteMatch =
  | {
    readonly kind: 'found'; readonly handler: Handler; readonly params: Readonly<Record<string, string>>;
    readonly access: RouteAccess;
  }
  /** The path exists, not with this method. */
  | { readonly kind: 'method'; readonly allowed: readonly string[] }
  | { readonly kind: 'none' };

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler, access: RouteAccess = 'authenticated'): this {
    this.routes.push({ method, pattern, segments: pattern.split('/'), handler, access });
    return this;
  }

  /** Every route's method and pattern, in the order they are tried (the OpenAPI test checks each is documented). */
  list(): { method: string; pattern: string }[] {
    return this.routes.map(({ method, pattern }) => ({ method, pattern }));
  }

  match(method: string, path: string): RouteMatch {
    const parts = path.split('/');
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (params === null) continue;
      if (route.method === method) return { kind: 'found', handler: route.handler, params, access: route.access };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { kind: 'method', allowed } : { kind: 'none' };
  }
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) {
      if (parts[i] === '') return null;
      const value = decodeSegment(parts[i]);
      if (value === null) return null;
      params[pattern[i].slice(1)] = value;
    } else if (pattern[i] !== parts[i]) {
      return null;
    }
  }
  return params;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
