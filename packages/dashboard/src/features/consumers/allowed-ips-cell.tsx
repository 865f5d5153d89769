import type { KeyView } from "../../api/types.ts";

/** Entries shown in the table; the rest are counted (the dialog lists them all). */
const SHOWN = 3;

export interface AllowedIpsCellProps {
  readonly keyView: KeyView;
  /** Absent for keys that no longer work: their allowlist no longer matters. */
  readonly onEdit: ((key: KeyView) => void) | undefined;
}

/** Where a key may be used from, and the button to change it. */
export function AllowedIpsCell({ keyView: key, onEdit }: AllowedIpsCellProps) {
  const list = key.allowedIps ?? [];
  const hidden = list.length - SHOWN;
  return (
    <div className="allowed-ips">
      {list.length === 0 ? (
        <span className="muted">any address</span>
      ) : (
        <>
          {list.slice(0, SHOWN).map((range) => (
            <code key={range} className="chip">
              {range}
            </code>
          ))}
          {hidden > 0 ? (
            <span className="chip" title={list.slice(SHOWN).join(", ")}>
              +{hidden} more
            </span>
          ) : null}
        </>
      )}
      {onEdit === undefined ? null : (
        <button
          type="button"
          className="button secondary small"
          data-needs="operator"
          onClick={() => onEdit(key)}
          aria-label={`Edit allowed IPs of ${key.name} v${key.version}`}
        >
          Edit
        </button>
      )}
    </div>
  );
}
