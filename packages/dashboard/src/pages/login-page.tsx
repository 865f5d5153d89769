import { type FormEvent, useEffect, useRef, useState } from "react";
import { createApiClient } from "../api/api-client.ts";
import { ApiError } from "../api/api-error.ts";
import type { SsoStatus } from "../api/operator-types.ts";
import { ProblemMessage } from "../components/problem-message.tsx";
import { TextField } from "../components/text-field.tsx";

export interface LoginPageProps {
  /** A sign-out reason to show, e.g. "Your admin token was refused." */
  readonly notice?: string | undefined;
  readonly onLogin: (token: string) => void;
}

/**
 * Signs in with single sign-on when the admin port offers it (`GET /auth/sso`:
 * a link to the provider, back with a session cookie), or with an admin
 * token: it is checked against the API, then kept in sessionStorage only.
 */
export function LoginPage({ notice, onLogin }: LoginPageProps) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const heading = useRef<HTMLHeadingElement>(null);
  const [ssoUrl, setSsoUrl] = useState<string | undefined>();
  useEffect(() => {
    document.title = "Sign in · keygate";
    const controller = new AbortController();
    createApiClient({})
      .get<SsoStatus>("/auth/sso", {}, controller.signal)
      .then(
        (status) => setSsoUrl(status.enabled ? (status.loginUrl ?? "/auth/login") : undefined),
        () => undefined,
      );
    return () => controller.abort();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const candidate = token.trim();
    if (candidate === "") return;
    setBusy(true);
    setError(undefined);
    try {
      await createApiClient({ token: candidate }).get("/v1/consumers", { limit: 1 });
      onLogin(candidate);
    } catch (caught) {
      if (!(caught instanceof ApiError)) throw caught;
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={(event) => void submit(event)} method="post" action="#">
        <div className="login-brand">
          <img src="/favicon.svg" alt="" width="40" height="40" />
          <h1 ref={heading}>keygate</h1>
        </div>
        <p className="muted">
          {ssoUrl === undefined
            ? "Sign in to the operator dashboard with an admin token."
            : "Sign in to the operator dashboard with your organisation's account."}
        </p>
        {notice === undefined ? null : (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {ssoUrl === undefined ? null : (
          <>
            {/* A navigation, not a fetch: the identity provider's pages take over the tab. */}
            <a className="button primary wide" href={ssoUrl}>
              Sign in with SSO
            </a>
            <p className="muted login-or">or with an admin token</p>
          </>
        )}
        <TextField
          label="Admin token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={token}
          onChange={(event) => setToken(event.target.value)}
          hint="Kept in this tab only (sessionStorage) and sent as a Bearer token to this admin port."
        />
        {error === undefined ? null : <ProblemMessage error={error} context="Sign-in failed" />}
        <button type="submit" className="button primary wide" disabled={busy || token.trim() === ""}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
