import { EmptyState } from "../components/empty-state.tsx";
import { PageHeader } from "../components/page-header.tsx";
import { href } from "../lib/routes.ts";

export function NotFoundPage({ path }: { readonly path: string }) {
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState title={`Nothing lives at ${path}`}>
        <a href={href.overview()}>Go to the overview</a>
      </EmptyState>
    </>
  );
}
