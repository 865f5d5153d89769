import { useCallback, useEffect, useMemo, useState } from "react";
import { createApiClient } from "./api/api-client.ts";
import type { AdminRole, MeView } from "./api/operator-types.ts";
import { NavBar } from "./components/nav-bar.tsx";
import { useHashRoute } from "./hooks/use-hash-route.ts";
import { LoginPage } from "./pages/login-page.tsx";
import { RoutePage } from "./pages/route-page.tsx";
import { type Session, SessionContext } from "./session/session-context.ts";
import { clearToken, loadToken, saveToken } from "./session/token-storage.ts";

/** A person signed in by SSO: the session cookie (HttpOnly, unseen here) and its CSRF token. */
interface SsoSignIn {
  readonly csrfToken: string;
  readonly role: AdminRole;
}

/** Whether the browser already holds a live SSO session (after the provider's redirect, or a reload). */
async function probeSsoSession(signal: AbortSignal): Promise<SsoSignIn | null> {
  try {
    const me = await createApiClient({}).get<MeView>("/v1/me", {}, signal);
    return me.csrfToken === undefined ? null : { csrfToken: me.csrfToken, role: me.role };
  } catch {
    return null;
  }
}

export function App() {
  const [token, setToken] = useState<string | null>(() => loadToken());
  const [sso, setSso] = useState<SsoSignIn | null>(null);
  // Without a token the cookie may still sign the person in: ask once before showing the login page.
  const [probing, setProbing] = useState(() => token === null);
  const [notice, setNotice] = useState<string | undefined>();
  const route = useHashRoute();
  const [role, setRole] = useState<AdminRole | undefined>();

  useEffect(() => {
    if (!probing) return;
    const controller = new AbortController();
    void probeSsoSession(controller.signal).then((found) => {
      if (controller.signal.aborted) return;
      setSso(found);
      setProbing(false);
    });
    return () => controller.abort();
  }, [probing]);

  const logout = useCallback((reason?: string) => {
    clearToken();
    setNotice(reason);
    setToken(null);
    setSso(null);
  }, []);
  const session = useMemo<Session | null>(() => {
    if (token !== null)
      return {
        api: createApiClient({
          token,
          onUnauthorized: () => logout("The admin token was refused (revoked or wrong); sign in again."),
        }),
        logout,
      };
    if (sso === null) return null;
    const api = createApiClient({
      csrfToken: sso.csrfToken,
      onUnauthorized: () => logout("Your single sign-on session ended; sign in again."),
    });
    return {
      api,
      // Signing out ends the session on the server (every node), not only in this tab.
      logout: (reason?: string) => {
        api.send("POST", "/auth/logout").then(
          () => logout(reason),
          () => logout(reason),
        );
      },
    };
  }, [token, sso, logout]);
  // The role decides which controls show; the server checks every call regardless.
  useEffect(() => {
    setRole(undefined);
    if (session === null) return;
    const controller = new AbortController();
    session.api.get<MeView>("/v1/me", {}, controller.signal).then(
      (me) => setRole(me.role),
      () => undefined,
    );
    return () => controller.abort();
  }, [session]);
  const withRole = useMemo(() => (session === null ? null : { ...session, role }), [session, role]);

  if (probing) return null;
  if (withRole === null)
    return (
      <LoginPage
        notice={notice}
        onLogin={(value) => {
          saveToken(value);
          setNotice(undefined);
          setToken(value);
        }}
      />
    );
  return (
    <SessionContext.Provider value={withRole}>
      {/* A button, not a link: the hash holds the route. */}
      <button type="button" className="skip-link" onClick={() => document.getElementById("main")?.focus()}>
        Skip to content
      </button>
      <div className="shell" data-role={role ?? "unknown"}>
        <NavBar route={route} onLogout={() => withRole.logout("Signed out.")} />
        <main id="main" className="main" tabIndex={-1}>
          <RoutePage route={route} />
        </main>
      </div>
    </SessionContext.Provider>
  );
}
