/** One field problem of a `400 VALIDATION_FAILED` answer: `path` is a JSON pointer such as `/body/name`. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/**
 * A failed admin API call, from its problem+json body (RFC 9457) when it has
 * one. `status` 0 means the request never got an answer.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: readonly FieldError[];

  constructor(init: {
    status: number;
    code: string;
    title: string;
    detail: string;
    errors?: readonly FieldError[];
  }) {
    super(`${init.title}: ${init.detail}`);
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.errors = init.errors ?? [];
  }

  /** The messages for one body field (`scopes` → `/body/scopes`, `/body/scopes/0`), if the server named it. */
  fieldMessage(field: string): string | undefined {
    const path = `/body/${field}`;
    const messages = this.errors
      .filter((error) => error.path === path || error.path.startsWith(`${path}/`))
      .map((error) => error.message);
    return messages.length === 0 ? undefined : [...new Set(messages)].join("; ");
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) =>
    isRecord(item) && typeof item.path === "string" && typeof item.message === "string"
      ? [{ path: item.path, message: item.message }]
      : [],
  );
}

/** Builds the error from an answer's status and (possibly absent or non-JSON) body text. */
export function problemFromResponse(status: number, statusText: string, text: string): ApiError {
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (isRecord(body)) {
    return new ApiError({
      status,
      code: typeof body.code === "string" ? body.code : `HTTP_${status}`,
      title: typeof body.title === "string" ? body.title : statusText || `HTTP ${status}`,
      detail: typeof body.detail === "string" ? body.detail : "",
      errors: fieldErrors(body.errors),
    });
  }
  return new ApiError({
    status,
    code: `HTTP_${status}`,
    title: statusText || `HTTP ${status}`,
    detail: "The server answered without problem details.",
  });
}

export function networkError(cause: unknown): ApiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ApiError({
    status: 0,
    code: "NETWORK",
    title: "Cannot reach the admin API",
    detail: `The request did not get an answer (${reason}).`,
  });
}

/**
 * True when an endpoint does not exist on this server (an older keygate, or one
 * being added): the dashboard shows "no data yet" instead of an error.
 */
export function isMissingEndpoint(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404 && error.code === "NOT_FOUND";
}
