/** The CLI's view of the admin API: `KEYGATE_URL` + `KEYGATE_ADMIN_TOKEN`. */
export interface AdminClientOptions {
  readonly baseUrl: string;
  readonly token: string | undefined;
}

/** A problem+json answer turned into an exception the CLI prints and exits non-zero on. */
export class AdminApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: readonly { path: string; message: string }[];

  constructor(
    status: number,
    code: string,
    detail: string,
    errors: readonly { path: string; message: string }[],
  ) {
    super(detail);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

export class AdminClient {
  readonly #options: AdminClientOptions;

  constructor(options: AdminClientOptions) {
    this.#options = options;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (this.#options.token === undefined) {
      throw new AdminApiError(
        0,
        "UNAUTHENTICATED",
        "set KEYGATE_ADMIN_TOKEN (printed once by the first `keygate start`)",
        [],
      );
    }
    const url = new URL(path, this.#options.baseUrl);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.#options.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch (error) {
      throw new AdminApiError(
        0,
        "UNREACHABLE",
        `cannot reach ${url.origin}: ${(error as Error).message}`,
        [],
      );
    }
    const text = await response.text();
    const parsed: unknown = text === "" ? null : JSON.parse(text);
    if (!response.ok) {
      const problem = (parsed ?? {}) as {
        code?: string;
        detail?: string;
        title?: string;
        errors?: { path: string; message: string }[];
      };
      throw new AdminApiError(
        response.status,
        problem.code ?? `HTTP_${response.status}`,
        problem.detail ?? problem.title ?? response.statusText,
        problem.errors ?? [],
      );
    }
    return parsed as T;
  }
}
