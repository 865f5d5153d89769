/** The session cookie: `__Host-` prefixed behind https (the browser then insists on Secure, Path=/ and no Domain). */
export function sessionCookieName(secure: boolean): string {
  return secure ? "__Host-keygate_portal" : "keygate_portal";
}

/** `Set-Cookie` for a new session: HttpOnly, SameSite=Strict, the whole portal, until the session ends. */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${sessionCookieName(secure)}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`;
}

/** `Set-Cookie` that makes the browser forget the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie("", 0, secure);
}

/** The session cookie's value from a `Cookie` header, if any (the first one wins). */
export function readSessionCookie(header: string | undefined, secure: boolean): string | undefined {
  if (header === undefined) return undefined;
  const name = sessionCookieName(secure);
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
