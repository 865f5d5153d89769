/**
 * History routing (real paths, not hashes): sign-in links are
 * `/login/<token>`, and the portal server answers its page at every path.
 * `popstate` covers back and forward; `navigate` tells the listeners itself,
 * since pushState fires no event.
 */
const listeners = new Set<() => void>();

export function subscribeToLocation(onChange: () => void): () => void {
  listeners.add(onChange);
  window.addEventListener("popstate", onChange);
  return () => {
    listeners.delete(onChange);
    window.removeEventListener("popstate", onChange);
  };
}

export interface NavigateOptions {
  /** Replace the current entry (a spent sign-in link must not stay in the history). */
  readonly replace?: boolean;
}

export function navigate(path: string, options: NavigateOptions = {}): void {
  if (options.replace === true) window.history.replaceState(null, "", path);
  else if (path !== window.location.pathname) window.history.pushState(null, "", path);
  window.scrollTo(0, 0);
  for (const listener of listeners) listener();
}
