import { type FormEvent, useEffect, useState } from "react";
import { LoadingState } from "../../components/loading-state.tsx";
import { TextField } from "../../components/text-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { createPortalClient } from "../api/portal-client.ts";
import type { Branding } from "../api/portal-types.ts";
import { SignInCard } from "../components/sign-in-card.tsx";

export interface SignInPageProps {
  readonly branding: Branding;
  /** False until the server said whether sign-in by mail is on. */
  readonly loaded: boolean;
  /** Why the consumer is here: "Signed out.", "Your session ended; sign in again." */
  readonly notice: string | undefined;
}

const SENT =
  "If this address belongs to an account, a sign-in link is on its way. It works once, for 15 minutes.";

/** Asks for a sign-in link by mail; the answer never tells whether the address is known. */
export function SignInPage({ branding, loaded, notice }: SignInPageProps) {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const request = useMutation(async () => {
    await createPortalClient().send("POST", "/login-links", { email: email.trim() });
    return "sent" as const;
  });
  useEffect(() => {
    document.title = `Sign in · ${branding.title}`;
  }, [branding.title]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (email.trim() === "") return;
    setSent(false);
    if ((await request.run()) === "sent") setSent(true);
  };

  return (
    <SignInCard branding={branding}>
      <div role="status" aria-live="polite" className="login-status">
        {notice === undefined || sent ? null : <p className="notice">{notice}</p>}
        {sent ? <p className="notice notice-ok">{SENT}</p> : null}
      </div>
      {!loaded ? (
        <LoadingState label="sign-in" />
      ) : branding.mailSignIn ? (
        <form onSubmit={(event) => void submit(event)} noValidate>
          <p className="muted">Sign in to manage your API keys. We mail you a link; no password needed.</p>
          <TextField
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            inputMode="email"
            spellCheck={false}
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            error={request.error?.fieldMessage("email")}
          />
          {request.error === undefined || request.error.fieldMessage("email") !== undefined ? null : (
            <p className="problem" role="alert">
              {request.error.detail || request.error.title}
            </p>
          )}
          <button
            type="submit"
            className="button primary wide"
            disabled={request.busy || email.trim() === ""}
          >
            {request.busy ? "Sending…" : "Send sign-in link"}
          </button>
        </form>
      ) : (
        <div className="login-no-mail">
          <p>Sign-in by email is not available here.</p>
          <p className="muted">
            Ask your provider for a sign-in link: open your API keys from your account on their site, or ask
            their support to send you one.
          </p>
        </div>
      )}
    </SignInCard>
  );
}
