import { createContext, useContext } from "react";
import type { ApiClient } from "../api/api-client.ts";
import type { AdminRole } from "../api/operator-types.ts";

/** The signed-in operator: an API client bound to their token, and the way out. */
export interface Session {
  readonly api: ApiClient;
  /** The caller's role (`GET /v1/me`); undefined until known. Controls it may not use are hidden. */
  readonly role?: AdminRole | undefined;
  logout(reason?: string): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error("useSession outside a signed-in page");
  return session;
}

export function useApi(): ApiClient {
  return useSession().api;
}
