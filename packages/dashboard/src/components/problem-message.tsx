import type { ApiError } from "../api/api-error.ts";

export interface ProblemMessageProps {
  readonly error: ApiError;
  /** What was being done, e.g. "Could not rotate the key". */
  readonly context?: string;
  readonly onRetry?: () => void;
}

/** An API problem as the operator reads it: title, the server's `detail`, and each field error. */
export function ProblemMessage({ error, context, onRetry }: ProblemMessageProps) {
  return (
    <div className="problem" role="alert">
      <p className="problem-title">
        {context === undefined ? error.title : `${context}: ${error.title}`}
        {error.status > 0 ? <span className="problem-code"> ({error.code})</span> : null}
      </p>
      {error.detail === "" ? null : <p className="problem-detail">{error.detail}</p>}
      {error.errors.length === 0 ? null : (
        <ul className="problem-errors">
          {error.errors.map((field) => (
            <li key={`${field.path}:${field.message}`}>
              <code>{field.path}</code> {field.message}
            </li>
          ))}
        </ul>
      )}
      {onRetry === undefined ? null : (
        <button type="button" className="button secondary small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
