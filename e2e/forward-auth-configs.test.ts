/**
 * The Traefik and Envoy examples cannot run here (no packages on this
 * machine), so they are checked as far as it allows: each parses as YAML and
 * carries, at the paths Traefik's and Envoy's documentation give, the fields
 * forward auth depends on. docs/forward-auth.md says plainly that they are
 * untested against a live Traefik or Envoy. nginx and Caddy run for real in
 * forward-auth-proxies.test.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "./support/spawn-process.ts";

function example(file: string): string {
  return readFileSync(join(repoRoot, "examples/forward-auth", file), "utf8");
}

/** The value at a path of objects and array indexes, or undefined. */
function at(value: unknown, ...path: Array<string | number>): unknown {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

const IDENTITY = ["x-keygate-consumer-id", "x-keygate-key-id", "x-keygate-scopes"];
const CLIENT_SIGNALS = ["deprecation", "sunset", "link", "ratelimit", "ratelimit-policy"];
const lower = (list: unknown): string[] =>
  Array.isArray(list) ? list.map((v) => String(v).toLowerCase()) : [];
const exacts = (patterns: unknown): string[] =>
  Array.isArray(patterns) ? patterns.map((p) => String(at(p, "exact")).toLowerCase()) : [];

describe("examples/forward-auth/traefik.yml (Traefik dynamic configuration, ForwardAuth)", () => {
  const config = parse(example("traefik.yml")) as unknown;
  const forwardAuth = at(config, "http", "middlewares", "keygate-forward-auth", "forwardAuth");

  it("asks keygate's forward-auth port and does not trust a client's X-Forwarded-*", () => {
    expect(at(forwardAuth, "address")).toBe("http://127.0.0.1:8081/authz");
    expect(at(forwardAuth, "trustForwardHeader")).toBe(false);
    expect(lower(at(forwardAuth, "authRequestHeaders"))).toEqual(["x-api-key", "authorization"]);
  });

  it("copies the identity and the signals from keygate's answer (authResponseHeaders)", () => {
    const copied = lower(at(forwardAuth, "authResponseHeaders"));
    for (const name of [...IDENTITY, ...CLIENT_SIGNALS]) expect(copied).toContain(name);
  });

  it("asks before it strips the key, on the router that serves the API; nothing caches answers", () => {
    expect(at(config, "http", "routers", "api", "middlewares")).toEqual([
      "keygate-forward-auth",
      "keygate-strip-key",
    ]);
    expect(at(config, "http", "middlewares", "keygate-strip-key", "headers", "customRequestHeaders")).toEqual(
      {
        "X-Api-Key": "",
        Authorization: "",
      },
    );
    expect(at(config, "http", "services", "api", "loadBalancer", "servers", 0, "url")).toBe(
      "http://127.0.0.1:3000",
    );
    expect(example("traefik.yml")).not.toMatch(/^\s*[^#\s]*cache/im);
  });
});

describe("examples/forward-auth/envoy.yaml (Envoy bootstrap, ext_authz HTTP service)", () => {
  const config = parse(example("envoy.yaml")) as unknown;
  const hcm = at(
    config,
    "static_resources",
    "listeners",
    0,
    "filter_chains",
    0,
    "filters",
    0,
    "typed_config",
  );
  const filters = at(hcm, "http_filters");
  const extAuthz = at(filters, 0, "typed_config");

  it("runs ext_authz before the router, failing closed", () => {
    expect(at(filters, 0, "name")).toBe("envoy.filters.http.ext_authz");
    expect(at(extAuthz, "@type")).toBe(
      "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz",
    );
    expect(at(filters, 1, "name")).toBe("envoy.filters.http.router");
    expect(at(extAuthz, "failure_mode_allow")).toBe(false);
    expect(at(extAuthz, "status_on_error", "code")).toBe("ServiceUnavailable");
    expect(at(hcm, "use_remote_address")).toBe(true);
  });

  it("asks keygate's forward-auth port with the key headers, with a timeout", () => {
    const service = at(extAuthz, "http_service");
    expect(at(service, "server_uri", "uri")).toBe("http://127.0.0.1:8081");
    expect(at(service, "server_uri", "cluster")).toBe("keygate_authz");
    expect(at(service, "server_uri", "timeout")).toBe("2s");
    expect(exacts(at(service, "authorization_request", "allowed_headers", "patterns"))).toContain(
      "x-api-key",
    );
    const clusters = at(config, "static_resources", "clusters") as unknown[];
    expect(clusters.map((c) => at(c, "name"))).toEqual(["keygate_authz", "api"]);
    expect(
      at(clusters[0], "load_assignment", "endpoints", 0, "lb_endpoints", 0, "endpoint", "address"),
    ).toEqual({
      socket_address: { address: "127.0.0.1", port_value: 8081 },
    });
  });

  it("passes the identity upstream, the signals to the client, and a refusal's headers to the client", () => {
    const response = at(extAuthz, "http_service", "authorization_response");
    expect(exacts(at(response, "allowed_upstream_headers", "patterns"))).toEqual(IDENTITY);
    expect(exacts(at(response, "allowed_client_headers_on_success", "patterns"))).toEqual(CLIENT_SIGNALS);
    const onDeny = exacts(at(response, "allowed_client_headers", "patterns"));
    for (const name of ["content-type", "www-authenticate", "retry-after"]) expect(onDeny).toContain(name);
  });

  it("removes the key before the API", () => {
    const route = at(hcm, "route_config", "virtual_hosts", 0, "routes", 0);
    expect(at(route, "route", "cluster")).toBe("api");
    expect(at(route, "request_headers_to_remove")).toEqual(["x-api-key", "authorization"]);
  });
});
