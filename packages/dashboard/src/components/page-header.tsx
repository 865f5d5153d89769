import { type ReactNode, useContext, useEffect, useRef } from "react";
import { SiteTitleContext } from "./site-title.ts";

export interface PageHeaderProps {
  readonly title: string;
  readonly subtitle?: ReactNode;
  readonly actions?: ReactNode;
  /** Small line above the title, e.g. a breadcrumb link. */
  readonly back?: ReactNode;
}

/** The page's h1; it takes focus when the page opens, so screen readers announce the new page. */
export function PageHeader({ title, subtitle, actions, back }: PageHeaderProps) {
  const ref = useRef<HTMLHeadingElement>(null);
  const site = useContext(SiteTitleContext);
  useEffect(() => {
    document.title = `${title} · ${site}`;
    ref.current?.focus({ preventScroll: true });
  }, [title, site]);
  return (
    <header className="page-header">
      <div>
        {back === undefined ? null : <div className="page-back">{back}</div>}
        <h1 ref={ref} tabIndex={-1}>
          {title}
        </h1>
        {subtitle === undefined ? null : <div className="page-subtitle">{subtitle}</div>}
      </div>
      {actions === undefined ? null : <div className="page-actions">{actions}</div>}
    </header>
  );
}
