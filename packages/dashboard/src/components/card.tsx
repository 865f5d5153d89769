import { type ReactNode, useId } from "react";

export interface CardProps {
  readonly title: string;
  readonly children: ReactNode;
  readonly actions?: ReactNode;
  readonly className?: string;
}

/** A titled section of a page (a labelled region for assistive technology). */
export function Card({ title, children, actions, className }: CardProps) {
  const id = useId();
  return (
    <section className={`card ${className ?? ""}`} aria-labelledby={id}>
      <header className="card-header">
        <h2 id={id}>{title}</h2>
        {actions === undefined ? null : <div className="card-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}
