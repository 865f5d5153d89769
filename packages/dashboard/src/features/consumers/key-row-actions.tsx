import type { KeyView } from "../../api/types.ts";

export interface KeyActions {
  rotate(key: KeyView): void;
  requestRotation(key: KeyView): void;
  revoke(key: KeyView): void;
  editAllowedIps(key: KeyView): void;
}

export interface KeyRowActionsProps {
  readonly keyView: KeyView;
  readonly actions: KeyActions;
}

/**
 * What can be done to one key. Only a lineage's `active` key can be rotated
 * (a rotation deprecates its predecessor; a rollback revokes its successor).
 */
export function KeyRowActions({ keyView: key, actions }: KeyRowActionsProps) {
  const label = `${key.name} v${key.version}`;
  const due = key.sunsetAt !== null;
  return (
    <div className="row-actions">
      {key.status === "active" ? (
        <button
          type="button"
          className="button secondary small"
          data-needs="operator"
          onClick={() => actions.rotate(key)}
          aria-label={`Rotate ${label}`}
        >
          Rotate
        </button>
      ) : null}
      {key.status === "active" && !due ? (
        <button
          type="button"
          className="button secondary small"
          data-needs="operator"
          onClick={() => actions.requestRotation(key)}
          aria-label={`Request rotation of ${label}`}
        >
          Request rotation
        </button>
      ) : null}
      {key.status === "active" || key.status === "deprecated" ? (
        <button
          type="button"
          className="button danger-outline small"
          data-needs="operator"
          onClick={() => actions.revoke(key)}
          aria-label={`Revoke ${label}`}
        >
          Revoke
        </button>
      ) : null}
    </div>
  );
}
