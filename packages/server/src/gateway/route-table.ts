import { routePath } from "./route-path.ts";

/**
 * What a route needs and costs. `method` is an upper-case HTTP method or `*`;
 * `path` is exact (`/v2/orders`), with parameters (`/v2/items/:id`), or a
 * prefix wildcard (`/v2/*`, which also matches `/v2`).
 */
export interface RouteRule {
  readonly method: string;
  readonly path: string;
  readonly scopes: readonly string[];
  readonly cost: number;
}

/** What an unlisted route gets: no scope, cost 1. */
export const DEFAULT_ROUTE: RouteRule = Object.freeze({
  method: "*",
  path: "/*",
  scopes: Object.freeze([]) as readonly string[],
  cost: 1,
});

type Segment = { readonly type: "static"; readonly value: string } | { readonly type: "param" };

interface PatternRule {
  readonly segments: readonly Segment[];
  /** True for `/prefix/*`: any further segments (or none) match. */
  readonly wildcard: boolean;
  readonly method: string;
  readonly rule: RouteRule;
}

function parsePattern(path: string): { segments: Segment[]; wildcard: boolean } {
  const parts = path.split("/").filter((part) => part !== "");
  const wildcard = parts.at(-1) === "*";
  if (wildcard) parts.pop();
  const segments = parts.map((part): Segment => {
    if (part.includes("*")) throw new Error(`route ${path}: "*" is only allowed as the last segment`);
    return part.startsWith(":")
      ? { type: "param" }
      : { type: "static", value: routePath(`/${part}`).slice(1) };
  });
  return { segments, wildcard };
}

/** Orders patterns most specific first: static before param at the first difference, then longer, then exact before wildcard. */
function compareSpecificity(a: PatternRule, b: PatternRule): number {
  const length = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const rank = (a.segments[i]?.type === "static" ? 0 : 1) - (b.segments[i]?.type === "static" ? 0 : 1);
    if (rank !== 0) return rank;
  }
  if (a.segments.length !== b.segments.length) return b.segments.length - a.segments.length;
  if (a.wildcard !== b.wildcard) return a.wildcard ? 1 : -1;
  return (a.method === "*" ? 1 : 0) - (b.method === "*" ? 1 : 0);
}

/**
 * Walks the segments of `path` (in `routePath` form: a leading "/", no empty
 * segment) in place, without splitting it: this runs on every request.
 */
function matchesPattern(pattern: PatternRule, path: string): boolean {
  let start = 1;
  for (const expected of pattern.segments) {
    if (start >= path.length) return false; // the path has fewer segments
    let end = path.indexOf("/", start);
    if (end === -1) end = path.length;
    if (
      expected.type === "static" &&
      (end - start !== expected.value.length || !path.startsWith(expected.value, start))
    )
      return false;
    start = end + 1;
  }
  return pattern.wildcard || start >= path.length;
}

/**
 * Route rules compiled for the hot path: exact paths are one map lookup by
 * path and one by method; patterns are tried most specific first. Paths are
 * compared in their `routePath` form (query dropped, case and encoding
 * folded). An exact path beats any pattern; a named method beats `*`; a
 * `HEAD` request falls back to its `GET` rule.
 */
export class RouteTable {
  readonly #exact = new Map<string, Map<string, RouteRule>>();
  readonly #patterns: PatternRule[] = [];

  constructor(rules: readonly RouteRule[]) {
    for (const given of rules) {
      if (!given.path.startsWith("/")) throw new Error(`route ${given.path}: must start with /`);
      const method = given.method.toUpperCase();
      const rule: RouteRule = Object.freeze({
        method,
        path: given.path,
        scopes: Object.freeze([...given.scopes]),
        cost: given.cost,
      });
      const isPattern = given.path.includes("/:") || given.path.endsWith("*");
      if (!isPattern) {
        const path = routePath(given.path);
        const byMethod = this.#exact.get(path) ?? new Map<string, RouteRule>();
        if (byMethod.has(method)) throw new Error(`route ${method} ${given.path} is listed twice`);
        byMethod.set(method, rule);
        this.#exact.set(path, byMethod);
      } else {
        this.#patterns.push({ ...parsePattern(given.path), method, rule });
      }
    }
    this.#patterns.sort(compareSpecificity);
  }

  /** The rule for a request; `target` is the request target as received (query allowed). */
  match(method: string, target: string): RouteRule {
    const path = routePath(target);
    const byMethod = this.#exact.get(path);
    if (byMethod !== undefined) {
      const rule =
        byMethod.get(method) ?? (method === "HEAD" ? byMethod.get("GET") : undefined) ?? byMethod.get("*");
      if (rule !== undefined) return rule;
    }
    for (const pattern of this.#patterns) {
      const methodMatches =
        pattern.method === "*" ||
        pattern.method === method ||
        (method === "HEAD" && pattern.method === "GET");
      if (methodMatches && matchesPattern(pattern, path)) return pattern.rule;
    }
    return DEFAULT_ROUTE;
  }
}

/** Compiles route rules (from the config's `routes`); throws on a duplicate or malformed rule. */
export function compileRouteTable(rules: readonly RouteRule[]): RouteTable {
  return new RouteTable(rules);
}
