import { useEffect, useState } from "react";
import { ApiError } from "../../api/api-error.ts";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { createPortalClient } from "../api/portal-client.ts";
import type { Branding } from "../api/portal-types.ts";
import { PortalLink } from "../components/portal-link.tsx";
import { SignInCard } from "../components/sign-in-card.tsx";
import { portalHref } from "../lib/portal-routes.ts";

export interface ContinuePageProps {
  readonly token: string;
  readonly branding: Branding;
  readonly onSignedIn: () => void;
}

/**
 * The page a sign-in link opens. It never signs in by itself: mail scanners
 * fetch links in advance, and the token works once, so only the person's
 * click on Continue spends it.
 */
export function ContinuePage({ token, branding, onSignedIn }: ContinuePageProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => {
    document.title = `Sign in · ${branding.title}`;
  }, [branding.title]);

  const spend = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await createPortalClient().send("POST", "/sessions", { token });
      onSignedIn();
    } catch (caught) {
      if (!(caught instanceof ApiError)) throw caught;
      setError(caught);
      setBusy(false);
    }
  };

  const spent = error?.status === 401;
  return (
    <SignInCard branding={branding}>
      {spent ? (
        <div role="alert" className="problem">
          <p className="problem-title">
            This sign-in link has expired or was already used. Request a new one.
          </p>
        </div>
      ) : (
        <p>Continue to sign in and manage your API keys. This link works once.</p>
      )}
      {error === undefined || spent ? null : <ProblemMessage error={error} context="Not signed in" />}
      {spent ? (
        <PortalLink to={portalHref.signIn()} className="button primary wide">
          Request a new sign-in link
        </PortalLink>
      ) : (
        <button
          type="button"
          className="button primary wide"
          disabled={busy}
          onClick={() => void spend()}
          data-autofocus
        >
          {busy ? "Signing in…" : "Continue"}
        </button>
      )}
    </SignInCard>
  );
}
