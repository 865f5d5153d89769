import { useCallback, useEffect, useMemo, useState } from "react";
import { createApiClient } from "./api/api-client.ts";
import type { AdminRole, MeView } from "./api/operator-types.ts";
import { NavBar } from "./components/nav-bar.tsx";
import { useHashRoute } from "./hooks/use-hash-route.ts";
import { LoginPage } from "./pages/login-page.tsx";
import { RoutePage } from "./pages/route-page.tsx";
import { type Session, SessionContext } from "./session/session-context.ts";
import { clearToken, loadToken, saveToken } from "./session/token-storage.ts";

export function App() {
  const [token, setToken] = useState<string | null>(() => loadToken());
  const [notice, setNotice] = useState<string | undefined>();
  const route = useHashRoute();
  const [role, setRole] = useState<AdminRole | undefined>();

  const logout = useCallback((reason?: string) => {
    clearToken();
    setNotice(reason);
    setToken(null);
  }, []);
  const session = useMemo<Session | null>(
    () =>
      token === null
        ? null
        : {
            api: createApiClient({
              token,
              onUnauthorized: () => logout("The admin token was refused (revoked or wrong); sign in again."),
            }),
            logout,
          },
    [token, logout],
  );
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
        <NavBar route={route} onLogout={() => logout("Signed out.")} />
        <main id="main" className="main" tabIndex={-1}>
          <RoutePage route={route} />
        </main>
      </div>
    </SessionContext.Provider>
  );
}
