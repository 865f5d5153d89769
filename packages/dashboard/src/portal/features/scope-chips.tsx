export interface ScopeChipsProps {
  readonly scopes: readonly string[];
}

export function ScopeChips({ scopes }: ScopeChipsProps) {
  if (scopes.length === 0) return <span className="muted">none</span>;
  return (
    <>
      {scopes.map((scope) => (
        <span key={scope} className="chip">
          {scope}
        </span>
      ))}
    </>
  );
}
