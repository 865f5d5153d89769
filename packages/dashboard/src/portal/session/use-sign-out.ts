import { type RefObject, useState } from "react";
import { ApiError } from "../../api/api-error.ts";
import type { PortalClient } from "../api/portal-client.ts";

export interface SignOut {
  readonly busy: boolean;
  /** Why signing out failed (the session may still be valid then, so the consumer is told). */
  readonly error: ApiError | undefined;
  run(): Promise<void>;
}

/**
 * Ends the session on the server (`POST /logout`), then leaves. A 401 means
 * it had already ended, which is just as good. From the start, `quiet`
 * keeps any 401 from announcing "your session ended" instead.
 */
export function useSignOut(api: PortalClient, quiet: RefObject<boolean>, done: () => void): SignOut {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  return {
    busy,
    error,
    async run() {
      setBusy(true);
      setError(undefined);
      quiet.current = true;
      try {
        await api.send("POST", "/logout");
        // Stays quiet: a poll answered 401 in the meantime must not replace "Signed out.".
        done();
      } catch (caught) {
        if (!(caught instanceof ApiError)) throw caught;
        if (caught.status === 401) return done();
        quiet.current = false;
        setError(caught);
      } finally {
        setBusy(false);
      }
    },
  };
}
