import { EmptyState } from "../../components/empty-state.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { PortalLink } from "../components/portal-link.tsx";
import { portalHref } from "../lib/portal-routes.ts";

export interface PortalNotFoundPageProps {
  readonly path: string;
}

export function PortalNotFoundPage({ path }: PortalNotFoundPageProps) {
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState title={`Nothing lives at ${path}`}>
        <PortalLink to={portalHref.keys()}>Back to the key list</PortalLink>
      </EmptyState>
    </>
  );
}
