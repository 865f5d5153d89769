import type { PortalRoute } from "../lib/portal-routes.ts";
import { AccountPage } from "./account-page.tsx";
import { KeyDetailPage } from "./key-detail-page.tsx";
import { KeysPage } from "./keys-page.tsx";
import { PortalNotFoundPage } from "./portal-not-found-page.tsx";
import { RotationPage } from "./rotation-page.tsx";
import { UsagePage } from "./usage-page.tsx";

export interface PortalPageProps {
  readonly route: PortalRoute;
}

/** The signed-in page for a route; a page is keyed by what it shows, so its state starts fresh. */
export function PortalPage({ route }: PortalPageProps) {
  switch (route.page) {
    case "keys":
      return <KeysPage />;
    case "key":
      return <KeyDetailPage key={route.id} id={route.id} />;
    case "rotation":
      return <RotationPage key={route.id} id={route.id} />;
    case "usage":
      return <UsagePage />;
    case "account":
      return <AccountPage />;
    case "not-found":
    case "sign-in":
    case "continue":
      return <PortalNotFoundPage path={route.page === "not-found" ? route.path : "/"} />;
  }
}
