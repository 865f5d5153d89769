import { readFile, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";

/**
 * The built dashboard (`packages/dashboard/dist`) as the admin port serves it
 * at `/`: files by path, `index.html` for `/` and for unknown extension-less
 * GET paths (SPA fallback). Paths of the API and operations endpoints are
 * never answered here, so a typo under `/v1/` stays a problem+json 404.
 */

/** What the admin app sends back: a body with its headers, or nothing (the path is not the dashboard's). */
export interface StaticAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string;
}

const RESERVED_PREFIXES = ["/v1", "/docs", "/healthz", "/readyz", "/metrics"];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Vite names every file under `assets/` by its content hash, so a year-long immutable cache is safe. */
const HASHED_CACHE = "public, max-age=31536000, immutable";
const UNHASHED_CACHE = "no-cache";

/** The page runs only its own bundle and talks only to its own origin. */
const HTML_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>keygate dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The keygate dashboard is not built</h1>
<p>Run <code>npm run build -w @keygate/dashboard</code> in the keygate repository, then reload this page.
The admin API is available under <code>/v1</code>; its OpenAPI document is at <a href="/docs">/docs</a>.</p>
</body></html>
`;

/** How one built web app is served; the defaults are the operator dashboard's. */
export interface StaticAppOptions {
  /** Paths never answered here (the API's): a typo there stays a problem+json 404. */
  readonly reservedPrefixes?: readonly string[];
  /** Headers of every HTML answer (CSP and friends). */
  readonly htmlHeaders?: Readonly<Record<string, string>>;
  /** Shown at `/` when the app is not built. */
  readonly missingBuildPage?: string;
}

function isReserved(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** The decoded path inside the dashboard, or null when it could name something outside it. */
function safeRelativePath(urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const segments = decoded.split("/").filter((segment) => segment !== "");
  if (segments.some((segment) => segment === ".." || segment === "." || segment.startsWith("."))) return null;
  return segments.join("/");
}

async function readFileIfAny(path: string): Promise<Buffer | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? await readFile(path) : null;
  } catch {
    return null;
  }
}

function fileAnswer(
  relative: string,
  body: Buffer,
  htmlHeaders: Readonly<Record<string, string>>,
): StaticAnswer {
  const type = CONTENT_TYPES[extname(relative).toLowerCase()] ?? "application/octet-stream";
  const isHtml = type.startsWith("text/html");
  return {
    status: 200,
    headers: {
      "content-type": type,
      "cache-control": relative.startsWith("assets/") ? HASHED_CACHE : UNHASHED_CACHE,
      ...(isHtml ? htmlHeaders : {}),
    },
    body,
  };
}

/** Serves one built dashboard directory. */
export class DashboardFiles {
  readonly #root: string;
  readonly #reserved: readonly string[];
  readonly #htmlHeaders: Readonly<Record<string, string>>;
  readonly #missingBuildPage: string;

  constructor(directory: string, options: StaticAppOptions = {}) {
    this.#root = resolve(directory);
    this.#reserved = options.reservedPrefixes ?? RESERVED_PREFIXES;
    this.#htmlHeaders = options.htmlHeaders ?? HTML_HEADERS;
    this.#missingBuildPage = options.missingBuildPage ?? MISSING_BUILD_PAGE;
  }

  /** The answer for a GET (or HEAD) of `url`, or null when the path is not the dashboard's (answer 404). */
  async answer(url: string): Promise<StaticAnswer | null> {
    const path = url.split(/[?#]/, 1)[0] ?? "/";
    if (isReserved(path, this.#reserved)) return null;
    const relative = safeRelativePath(path);
    if (relative === null) return null;
    const index = await readFileIfAny(resolve(this.#root, "index.html"));
    if (index === null) {
      return relative === ""
        ? {
            status: 503,
            headers: { "content-type": "text/html; charset=utf-8" },
            body: this.#missingBuildPage,
          }
        : null;
    }
    if (relative !== "" && relative !== "index.html") {
      const file = resolve(this.#root, relative);
      if (!file.startsWith(`${this.#root}${sep}`)) return null;
      const body = await readFileIfAny(file);
      if (body !== null) return fileAnswer(relative, body, this.#htmlHeaders);
      // A missing script or image is a 404, not the page: only route-like paths fall back to it.
      if (relative === "assets" || relative.startsWith("assets/") || extname(relative) !== "") return null;
    }
    return fileAnswer("index.html", index, this.#htmlHeaders);
  }
}
