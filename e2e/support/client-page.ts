import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { repoRoot } from "./spawn-process.ts";

/** The built browser entry of `@keygate/client` (`npm run build -w @keygate/client`). */
export const CLIENT_DIST = join(repoRoot, "packages", "client", "dist");

/**
 * A web app on its own origin that uses `@keygate/client` from `dist/` with a
 * `memoryKeyStore`, as a browser app would. `window.keygateDemo` is what the
 * test drives; each call is also appended to the page's log.
 */
const PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>keygate client in a browser</title>
<h1>Market data through keygate</h1>
<ol id="log"></ol>
<script type="module">
import { KeygateClient, memoryKeyStore } from "/dist/index.js";

const events = [];
let client = null;
let store = null;
const log = (text) => {
  const item = document.createElement("li");
  item.textContent = text;
  document.getElementById("log").append(item);
};

window.keygateDemo = {
  start(gatewayUrl, secret) {
    store = memoryKeyStore(secret);
    client = new KeygateClient({ baseUrl: gatewayUrl, store });
    for (const name of ["rotated", "deprecated", "error"]) {
      client.on(name, (event) => {
        const plain = name === "error" ? { code: event.error.code, message: event.error.message } : event;
        events.push({ name, ...plain });
        log(name + " " + JSON.stringify(plain));
      });
    }
  },
  async call(path = "/v2/trader-grades?symbol=ETH", init = undefined) {
    try {
      const res = await client.fetch(path, init);
      const body = await res.json();
      const info = await client.keyInfo();
      const seen = {
        status: res.status,
        code: body.code ?? null,
        deprecation: res.headers.get("deprecation"),
        sunset: res.headers.get("sunset"),
        ratelimit: res.headers.get("ratelimit"),
        ratelimitPolicy: res.headers.get("ratelimit-policy"),
        wwwAuthenticate: res.headers.get("www-authenticate"),
        upstreamKeyId: res.headers.get("x-upstream-saw-key"),
        hint: info.hint,
        version: info.version ?? null,
      };
      log(res.status + " " + path + " with " + info.hint + (seen.deprecation ? " (deprecated)" : ""));
      return seen;
    } catch (error) {
      log("failed: " + error);
      return { status: 0, error: String(error) };
    }
  },
  setKey(secret) {
    store.set(secret);
  },
  idle: () => client.idle(),
  events: () => events,
};
document.title = "ready";
</script>
</html>
`;

export interface ClientPageServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the page at `/` and the built client at `/dist/*.js` on 127.0.0.1 (its own origin). */
export async function startClientPage(): Promise<ClientPageServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://page.invalid").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(PAGE);
      return;
    }
    const file = /^\/dist\/([\w-]+\.js)$/.exec(path)?.[1];
    if (file === undefined) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(CLIENT_DIST, file)).then(
      (text) => {
        res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
        res.end(text);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
