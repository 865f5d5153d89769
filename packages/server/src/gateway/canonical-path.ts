/**
 * The one canonical form of a request path, shared by every port that
 * decides on a path (the gateway, and forward auth, which reads the path from
 * `X-Forwarded-Uri`). Route rules guard scopes, so the path that is matched
 * must be the path the upstream acts on: keygate matches the canonical path
 * and forwards exactly it.
 *
 * Canonical means (RFC 3986 §6.2.2, plus refusals for the spellings that
 * servers disagree on):
 * - percent-encoded unreserved characters are decoded (`%6F` → `o`), every
 *   other escape is kept with upper-case hex (`%c3` → `%C3`);
 * - characters outside RFC 3986 `pchar` (space, `"`, `<`, `{`, non-ASCII…)
 *   are percent-encoded;
 * - runs of `/` collapse to one, `.` and `..` segments are resolved (`..`
 *   never climbs above the root); a trailing `/` is kept.
 *
 * Refused, because some server maps them to another path and keygate cannot
 * know which: `\` (IIS, some Windows servers read it as `/`), `;` (matrix
 * parameters, which Tomcat and Spring strip), an encoded `/` or `\`, control
 * characters (raw or encoded), a segment ending in `.` or a space other than
 * a dot segment (Windows drops them: `orders.` is `orders`), a malformed
 * escape, and anything not starting with `/`.
 *
 * Case is kept: paths are case-sensitive for most upstreams (the route table
 * folds case on its own when it matches, which only ever demands more scopes).
 * The query string is not part of the input.
 */

/** The outcome of `canonicalPath`: the canonical path, or why none exists. */
export type CanonicalPath =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly reason: string };

/** Characters allowed raw in a canonical path: unreserved, sub-delims but `;`, `:`, `@`, `/` (and `%` for escapes). */
const PLAIN = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,=:@/") {
  PLAIN[c.charCodeAt(0)] = 1;
}
/** RFC 3986 unreserved: decoded when found percent-encoded. */
const UNRESERVED = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") {
  UNRESERVED[c.charCodeAt(0)] = 1;
}

const SLASH = 47;
const DOT = 46;
const PERCENT = 37;
const HEX = "0123456789ABCDEF";

/**
 * The canonical form of `path` (see the module comment), or the reason it
 * has none. Pure and idempotent: `canonicalPath(p).path` is returned
 * unchanged by a second call. A path that is already canonical and has no
 * `%` is returned as the very same string after one scan (the hot path).
 */
export function canonicalPath(path: string): CanonicalPath {
  return isPlainCanonical(path) ? { ok: true, path } : slowCanonical(path);
}

/**
 * One scan: true when every character is PLAIN, no `//`, and no segment ends
 * in `.` (which covers `.`, `..` and `orders.`). Escapes take the slow path.
 */
function isPlainCanonical(path: string): boolean {
  const length = path.length;
  if (length === 0 || path.charCodeAt(0) !== SLASH) return false;
  let previous = SLASH;
  for (let i = 1; i < length; i++) {
    const code = path.charCodeAt(i);
    if (code >= 128 || PLAIN[code] !== 1) return false;
    if (code === SLASH && (previous === SLASH || previous === DOT)) return false;
    previous = code;
  }
  return previous !== DOT;
}

function refuse(reason: string): CanonicalPath {
  return { ok: false, reason };
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

function escapeByte(byte: number): string {
  return `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
}

/** One segment in canonical spelling; `last` is the decoded last byte (for the trailing dot/space rule). */
interface Segment {
  readonly text: string;
  readonly last: number;
}

/** Normalises one segment (no `/` inside), or returns the reason it cannot be. */
function canonicalSegment(raw: string): Segment | string {
  let text = "";
  let last = -1;
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code === PERCENT) {
      const high = hexValue(raw.charCodeAt(i + 1));
      const low = hexValue(raw.charCodeAt(i + 2));
      if (high < 0 || low < 0) return "a malformed percent-escape";
      const byte = (high << 4) | low;
      i += 2;
      if (byte === SLASH || byte === 92) return "an encoded / or \\";
      if (byte < 0x20 || byte === 0x7f) return "an encoded control character";
      text += byte < 128 && UNRESERVED[byte] === 1 ? String.fromCharCode(byte) : escapeByte(byte);
      last = byte;
    } else if (code === 92) {
      return "a backslash";
    } else if (code === 59) {
      return "a ; path parameter";
    } else if (code < 0x20 || code === 0x7f) {
      return "a control character";
    } else if (code < 128) {
      text += PLAIN[code] === 1 ? raw[i] : escapeByte(code);
      last = code;
    } else if (code <= 0xff) {
      // node:http hands request targets over as latin1: each char is one byte as sent.
      text += escapeByte(code);
      last = code;
    } else {
      // A JS string from elsewhere (a header parsed as UTF-8): encode the code point as UTF-8.
      const point = raw.codePointAt(i) ?? code;
      const char = String.fromCodePoint(point);
      if (point >= 0xd800 && point <= 0xdfff) return "a lone surrogate";
      for (const byte of Buffer.from(char, "utf8")) text += escapeByte(byte);
      i += char.length - 1;
      last = 0x80;
    }
  }
  return { text, last };
}

function slowCanonical(path: string): CanonicalPath {
  if (path.length === 0 || path.charCodeAt(0) !== SLASH) return refuse("the path must start with /");
  const raws = path.split("/");
  const out: string[] = [];
  let trailingSlash = false;
  // raws[0] is "" (the leading slash).
  for (let i = 1; i < raws.length; i++) {
    const segment = canonicalSegment(raws[i] ?? "");
    if (typeof segment === "string") return refuse(`the path contains ${segment}`);
    const isLast = i === raws.length - 1;
    if (segment.text === "" || segment.text === ".") {
      if (isLast) trailingSlash = true;
      continue;
    }
    if (segment.text === "..") {
      out.pop();
      if (isLast) trailingSlash = true;
      continue;
    }
    if (segment.last === DOT || segment.last === 0x20) {
      return refuse("the path has a segment ending in a dot or a space");
    }
    out.push(segment.text);
    trailingSlash = false;
  }
  if (out.length === 0) return { ok: true, path: "/" };
  const joined = `/${out.join("/")}${trailingSlash ? "/" : ""}`;
  return { ok: true, path: joined };
}
