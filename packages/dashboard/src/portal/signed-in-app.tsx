import { useMemo, useRef } from "react";
import { LoadingState } from "../components/loading-state.tsx";
import { ProblemMessage } from "../components/problem-message.tsx";
import { usePolling } from "../hooks/use-polling.ts";
import { createPortalClient } from "./api/portal-client.ts";
import type { Branding, Me } from "./api/portal-types.ts";
import { PortalHeader } from "./components/portal-header.tsx";
import type { PortalRoute } from "./lib/portal-routes.ts";
import { PortalPage } from "./pages/portal-page.tsx";
import { type PortalSession, PortalSessionContext } from "./session/portal-session.ts";
import { useSignOut } from "./session/use-sign-out.ts";

/** `/me` also tells whether the session still holds (a 401 ends it), and keeps the plan usage fresh. */
const ME_POLL_MS = 15_000;
export const SESSION_ENDED = "Your session ended; sign in again.";

export interface SignedInAppProps {
  readonly route: PortalRoute;
  readonly branding: Branding;
  /** Back to /login, with a notice to show there (none when there never was a session in this tab). */
  readonly onSessionEnded: (notice: string | undefined) => void;
}

export function SignedInApp({ route, branding, onSessionEnded }: SignedInAppProps) {
  const meRef = useRef<Me | undefined>(undefined);
  const ended = useRef(onSessionEnded);
  ended.current = onSessionEnded;
  const quiet = useRef(false);
  const api = useMemo(
    () =>
      createPortalClient({
        csrfToken: () => meRef.current?.csrfToken,
        // A visitor who never signed in is simply sent to sign in; a session that ran out says so.
        onUnauthorized: () => {
          if (!quiet.current) ended.current(meRef.current === undefined ? undefined : SESSION_ENDED);
        },
      }),
    [],
  );
  const me = usePolling("me", (signal) => api.get<Me>("/me", {}, signal), ME_POLL_MS);
  if (me.data !== undefined) meRef.current = me.data;
  const signOut = useSignOut(api, quiet, () => ended.current("Signed out."));

  const data = me.data;
  const session = useMemo<PortalSession | null>(
    () => (data === undefined ? null : { api, me: data, refreshMe: me.refresh }),
    [api, data, me.refresh],
  );

  if (session === null)
    return (
      <main className="login">
        <div className="login-card">
          {me.error === undefined || me.error.status === 401 ? (
            <LoadingState label="your account" />
          ) : (
            <ProblemMessage error={me.error} context="Could not load your account" onRetry={me.refresh} />
          )}
        </div>
      </main>
    );
  return (
    <PortalSessionContext.Provider value={session}>
      {/* A button, not a #main link: the path is the route and a hash would only add history entries. */}
      <button type="button" className="skip-link" onClick={() => document.getElementById("main")?.focus()}>
        Skip to content
      </button>
      <div className="portal-shell">
        <PortalHeader branding={branding} me={session.me} route={route} signOut={signOut} />
        <main id="main" className="portal-main" tabIndex={-1}>
          <PortalPage route={route} />
        </main>
      </div>
    </PortalSessionContext.Provider>
  );
}
