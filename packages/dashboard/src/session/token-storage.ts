/**
 * The admin token lives in sessionStorage only: it dies with the tab, is never
 * put in a URL, and never reaches localStorage or a cookie.
 */
const KEY = "keygate.adminToken";

export function loadToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // storage disabled: nothing was kept
  }
}
