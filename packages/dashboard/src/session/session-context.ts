import { createContext, useContext } from "react";
import type { ApiClient } from "../api/api-client.ts";

/** The signed-in operator: an API client bound to their token, and the way out. */
export interface Session {
  readonly api: ApiClient;
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
