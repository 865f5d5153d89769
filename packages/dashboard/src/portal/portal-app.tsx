import { useCallback, useState } from "react";
import { SiteTitleContext } from "../components/site-title.ts";
import { useBranding } from "./branding/use-branding.ts";
import { useLocationPath } from "./hooks/use-location-path.ts";
import { navigate } from "./lib/navigation.ts";
import { parsePortalPath, portalHref } from "./lib/portal-routes.ts";
import { ContinuePage } from "./pages/continue-page.tsx";
import { SignInPage } from "./pages/sign-in-page.tsx";
import { SignedInApp } from "./signed-in-app.tsx";

/**
 * The consumer portal: the sign-in pages need no session; every other path
 * is the signed-in app, which sends the browser back to /login when the
 * session ends.
 */
export function PortalApp() {
  const { branding, loaded } = useBranding();
  const route = parsePortalPath(useLocationPath());
  const [notice, setNotice] = useState<string | undefined>();

  const endSession = useCallback((message: string | undefined) => {
    setNotice(message);
    navigate(portalHref.signIn(), { replace: true });
  }, []);
  const signedIn = useCallback(() => {
    setNotice(undefined);
    // Replace, not push: the spent token leaves the address bar and the history.
    navigate(portalHref.keys(), { replace: true });
  }, []);

  return (
    <SiteTitleContext.Provider value={branding.title}>
      {route.page === "sign-in" ? (
        <SignInPage branding={branding} loaded={loaded} notice={notice} />
      ) : route.page === "continue" ? (
        <ContinuePage key={route.token} token={route.token} branding={branding} onSignedIn={signedIn} />
      ) : (
        <SignedInApp route={route} branding={branding} onSessionEnded={endSession} />
      )}
    </SiteTitleContext.Provider>
  );
}
