import { type Problem, problemFor } from "../http/problem.ts";
import { canonicalPath } from "./canonical-path.ts";

const UNCANONICAL_DETAIL =
  "The request path has a spelling servers disagree on (a backslash, a ; parameter, an encoded slash, a control character, or a segment ending in a dot or a space); send its plain form.";
const NOT_A_PATH_DETAIL = "The request target must be a path.";

/**
 * A request target made canonical: `target` is the origin-form target with
 * the canonical path (what routes match and the upstream is sent), `path`
 * the same without its query (for problems and logs). Or the 400 problem
 * answering a target that has no canonical form.
 */
export type ResolvedTarget =
  | { readonly ok: true; readonly target: string; readonly path: string }
  | { readonly ok: false; readonly problem: Problem };

/** Origin-form of an absolute-form target (`http://host/p?q` → `/p?q`); undefined if it is neither. */
function originForm(target: string): string | undefined {
  if (target.charCodeAt(0) === 47) return target;
  try {
    const url = new URL(target);
    return url.protocol === "http:" || url.protocol === "https:" ? `${url.pathname}${url.search}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The one place a request target becomes canonical, for the gateway (its
 * own request line) and forward auth (`X-Forwarded-Uri` / `X-Original-URI`
 * from a trusted proxy, else its own request line): both match routes on,
 * and decide about, exactly the same path for the same request.
 */
export function resolveTarget(rawTarget: string): ResolvedTarget {
  let target = originForm(rawTarget);
  if (target === undefined)
    return { ok: false, problem: problemFor("VALIDATION_FAILED", NOT_A_PATH_DETAIL, "/") };
  const query = target.indexOf("?");
  const rawPath = query === -1 ? target : target.slice(0, query);
  const canonical = canonicalPath(rawPath);
  if (!canonical.ok) {
    return {
      ok: false,
      problem: problemFor("VALIDATION_FAILED", UNCANONICAL_DETAIL, rawPath, [
        { path: "/path", message: canonical.reason },
      ]),
    };
  }
  const path = canonical.path;
  if (path !== rawPath) target = query === -1 ? path : `${path}${target.slice(query)}`;
  return { ok: true, target, path };
}
