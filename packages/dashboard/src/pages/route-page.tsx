import type { Route } from "../lib/routes.ts";
import { AdminTokensPage } from "./admin-tokens-page.tsx";
import { AuditPage } from "./audit-page.tsx";
import { ConsumerDetailPage } from "./consumer-detail-page.tsx";
import { ConsumersPage } from "./consumers-page.tsx";
import { NotFoundPage } from "./not-found-page.tsx";
import { OverviewPage } from "./overview-page.tsx";
import { PlansPage } from "./plans-page.tsx";
import { RotationPage } from "./rotation-page.tsx";
import { WebhooksPage } from "./webhooks-page.tsx";

export function RoutePage({ route }: { readonly route: Route }) {
  switch (route.page) {
    case "overview":
      return <OverviewPage />;
    case "consumers":
      return <ConsumersPage />;
    case "consumer":
      return <ConsumerDetailPage key={route.id} id={route.id} />;
    case "rotation":
      return <RotationPage key={route.id} id={route.id} />;
    case "audit":
      return <AuditPage />;
    case "webhooks":
      return <WebhooksPage />;
    case "plans":
      return <PlansPage />;
    case "admin-tokens":
      return <AdminTokensPage />;
    case "not-found":
      return <NotFoundPage path={route.path} />;
  }
}
