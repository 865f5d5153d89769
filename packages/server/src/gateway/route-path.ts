/**
 * The form of a request path used to pick its route rule. Rules guard
 * scopes, so every spelling an upstream may treat as the same resource must
 * match the same rule: `/v2/orders/`, `/v2//orders`, `/v2/./orders`,
 * `/v2/%6Frders` and `/V2/Orders` all read as `/v2/orders`. Matching more
 * spellings than the upstream does only ever demands more scopes, never fewer.
 * The forwarded path is left exactly as the client sent it.
 */
export function routePath(target: string): string {
  const query = target.indexOf("?");
  const path = query === -1 ? target : target.slice(0, query);
  return isCanonical(path) ? path : canonicalize(path);
}

/** True when `path` has no upper case, `%`, non-ASCII, empty or dot segment, or trailing slash (some harmless false negatives). */
function isCanonical(path: string): boolean {
  if (path.length === 0 || path.charCodeAt(0) !== 47) return false;
  let previous = 47;
  for (let i = 1; i < path.length; i++) {
    const code = path.charCodeAt(i);
    if (code === 37 || (code >= 65 && code <= 90) || code > 127) return false; // % A-Z non-ASCII
    if (code === 47 && (previous === 47 || previous === 46)) return false; // "//" or "./"
    previous = code;
  }
  // A trailing "/" or "." (possibly a dot segment) takes the slow path.
  return previous !== 46 && (previous !== 47 || path.length === 1);
}

function decodeSegment(segment: string): string {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function canonicalize(path: string): string {
  const out: string[] = [];
  for (const raw of path.split("/")) {
    // A decoded segment may itself contain "/" (from %2F); splitting again makes it no less strict.
    for (const piece of decodeSegment(raw).split("/")) {
      const segment = piece.toLowerCase();
      if (segment === "" || segment === ".") continue;
      if (segment === "..") out.pop();
      else out.push(segment);
    }
  }
  return `/${out.join("/")}`;
}
