const LABELS: Readonly<Record<string, string>> = {
  active: "Active",
  deprecated: "Deprecated",
  expired: "Expired",
  revoked: "Revoked",
  overlapping: "Overlapping",
  completed: "Completed",
  rolled_back: "Rolled back",
  delivered: "Delivered",
  failed: "Failed",
  pending: "Pending",
  queued: "Queued",
  sent: "Sent",
  retrying: "Retrying",
  disabled: "Disabled",
  enabled: "Enabled",
  connected: "Connected",
  disconnected: "Disconnected",
};

export interface StatusBadgeProps {
  readonly status: string;
}

/** A status as text (never colour alone), tinted by kind. */
export function StatusBadge({ status }: StatusBadgeProps) {
  return <span className={`badge badge-${status}`}>{LABELS[status] ?? status}</span>;
}
