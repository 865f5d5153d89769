import { createContext, useContext } from "react";
import type { PortalClient } from "../api/portal-client.ts";
import type { Me } from "../api/portal-types.ts";

/** The signed-in consumer's API client and account; only pages behind sign-in read it. */
export interface PortalSession {
  readonly api: PortalClient;
  readonly me: Me;
  /** Read `/me` again now (plan usage after a change). */
  readonly refreshMe: () => void;
}

export const PortalSessionContext = createContext<PortalSession | null>(null);

export function usePortalSession(): PortalSession {
  const session = useContext(PortalSessionContext);
  if (session === null) throw new Error("usePortalSession outside a signed-in portal page");
  return session;
}
