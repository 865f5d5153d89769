import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { adminSsoOptions } from "../../src/admin/sso/admin-sso-options.ts";
import { mapOidcRole } from "../../src/admin/sso/map-oidc-role.ts";
import { operatorSessionCookie, PendingSignInCookie } from "../../src/admin/sso/sso-cookies.ts";
import { loadConfig } from "../../src/config/load-config.ts";

const BASE = { KEYGATE_UPSTREAM: "http://127.0.0.1:9999", KEYGATE_DATABASE_URL: "memory:" };
const OIDC = {
  KEYGATE_OIDC_ISSUER: "https://acme.okta.com/oauth2/default",
  KEYGATE_OIDC_CLIENT_ID: "keygate",
  KEYGATE_OIDC_CLIENT_SECRET: "s3cret",
};

describe("single sign-on configuration", () => {
  it("is off without KEYGATE_OIDC_*, and needs all three", () => {
    expect(adminSsoOptions(loadConfig(BASE))).toBeUndefined();
    expect(() => loadConfig({ ...BASE, KEYGATE_OIDC_ISSUER: OIDC.KEYGATE_OIDC_ISSUER })).toThrow(
      /set all three or none/,
    );
  });

  it("refuses a plain-http issuer unless it is on loopback", () => {
    expect(() => loadConfig({ ...BASE, ...OIDC, KEYGATE_OIDC_ISSUER: "http://sso.acme.com" })).toThrow(
      /must be https/,
    );
    expect(
      loadConfig({ ...BASE, ...OIDC, KEYGATE_OIDC_ISSUER: "http://127.0.0.1:9000" }).oidcProvider?.issuer,
    ).toBe("http://127.0.0.1:9000");
  });

  it("reads the role mapping from the file; the callback defaults to the admin port", () => {
    const dir = mkdtempSync(join(tmpdir(), "keygate-oidc-"));
    try {
      const file = join(dir, "keygate.json");
      writeFileSync(file, JSON.stringify({ oidc: { roles: { operator: ["sre"] }, sessionHours: 2 } }));
      const options = adminSsoOptions(
        loadConfig({ ...BASE, ...OIDC, KEYGATE_CONFIG: file, KEYGATE_ADMIN_PORT: "7443" }),
      );
      expect(options).toMatchObject({
        issuer: OIDC.KEYGATE_OIDC_ISSUER,
        roleClaim: "groups",
        roles: { admin: [], operator: ["sre"], viewer: [] },
        redirectUrl: "http://127.0.0.1:7443/auth/callback",
        scopes: ["openid", "email", "profile"],
        sessionTtlMs: 2 * 3_600_000,
      });
      writeFileSync(file, JSON.stringify({ oidc: { redirectUrl: "https://k.acme.com/elsewhere" } }));
      expect(() => loadConfig({ ...BASE, ...OIDC, KEYGATE_CONFIG: file })).toThrow(/\/auth\/callback/);
      writeFileSync(file, JSON.stringify({ oidc: { roles: { root: ["x"] } } }));
      expect(() => loadConfig({ ...BASE, ...OIDC, KEYGATE_CONFIG: file })).toThrow(/root/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("maps the highest matching role from a string or array claim, and nothing else", () => {
    const roles = { admin: ["a"], operator: ["o"], viewer: ["v"] };
    expect(mapOidcRole({ groups: ["v", "a"] }, "groups", roles)).toBe("admin");
    expect(mapOidcRole({ groups: "o" }, "groups", roles)).toBe("operator");
    expect(mapOidcRole({ groups: [{ name: "a" }, 1] }, "groups", roles)).toBeNull();
    expect(mapOidcRole({ roles: ["a"] }, "groups", roles)).toBeNull();
  });

  it("behind https the cookies are Secure and prefixed", () => {
    expect(operatorSessionCookie("kgo_x", 60, true)).toBe(
      "__Host-keygate_admin=kgo_x; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure",
    );
    const pending = new PendingSignInCookie("secret", true);
    const line = pending.serialize({ state: "s", nonce: "n", codeVerifier: "v", expiresAt: 1 }, 600);
    expect(line).toMatch(
      /^__Host-keygate_sso=[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600; Secure$/,
    );
    const value = line.split(";")[0] ?? "";
    expect(pending.read(value)).toEqual({ state: "s", nonce: "n", codeVerifier: "v", expiresAt: 1 });
    // Another deployment's key (another client secret) does not validate it.
    expect(new PendingSignInCookie("other", true).read(value)).toBeNull();
  });
});
