import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LightMyRequestResponse } from "fastify";
import { pino } from "pino";
import type { LeakIntake } from "../../../src/leaks/leak-intake.ts";
import { LeakPublicKeyFile } from "../../../src/leaks/leak-public-keys.ts";
import { LeakSignatureVerifier } from "../../../src/leaks/leak-signature.ts";
import type { LeakPolicy } from "../../../src/services/report-leak.ts";
import { createHarness, type Harness, sqliteBackend } from "../../admin/support/admin-harness.ts";

/** A signing key pair playing GitHub's part, with the identifier its requests name. */
export interface TestSigner {
  readonly identifier: string;
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
}

export function newSigner(identifier: string): TestSigner {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    identifier,
    privateKey,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** Base64 of the DER ECDSA signature over SHA-256 of `body`, as GitHub sends it. */
export function signBody(signer: TestSigner, body: string | Buffer): string {
  return sign("sha256", typeof body === "string" ? Buffer.from(body) : body, signer.privateKey).toString(
    "base64",
  );
}

/** A public-keys document in the shape of `GET /meta/public_keys/secret_scanning`. */
export function publicKeysDocument(signers: readonly TestSigner[]): string {
  return JSON.stringify({
    public_keys: signers.map((s, i) => ({
      key_identifier: s.identifier,
      key: s.publicKeyPem,
      is_current: i === 0,
    })),
  });
}

export interface TempDir {
  readonly path: string;
  file(name: string, content: string): string;
  remove(): void;
}

export function tempDir(): TempDir {
  const path = mkdtempSync(join(tmpdir(), "keygate-leaks-"));
  return {
    path,
    file(name, content) {
      const file = join(path, name);
      writeFileSync(file, content);
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** An admin app on SQLite with leak reports enabled, every log line captured. */
export interface LeakWorld {
  readonly h: Harness;
  readonly github: TestSigner;
  /** Listed in the keys file with `is_current: false` (GitHub signs with either during its own key rotation). */
  readonly retired: TestSigner;
  readonly keysFile: string;
  readonly dir: TempDir;
  readonly lines: string[];
  /** Creates a consumer and a key; the secret is tracked as one that must never be logged. */
  issueKey(env?: "live" | "test"): Promise<{ id: string; secret: string; consumerId: string }>;
  /** POSTs `body` to /v1/leaks signed by `signer` (GitHub by default); `headers` override. */
  report(
    body: string,
    options?: { signer?: TestSigner; headers?: Record<string, string | undefined> },
  ): Promise<LightMyRequestResponse>;
  verify(secret: string): Promise<{ valid: boolean; code: string }>;
  close(): Promise<void>;
}

export async function createLeakWorld(policy: LeakPolicy): Promise<LeakWorld> {
  const dir = tempDir();
  const github = newSigner("3d1b4a4c2f8e0aa1f6c7a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0");
  const retired = newSigner("b7e2f0c4d9a1e3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3");
  const keysFile = dir.file("github-public-keys.json", publicKeysDocument([github, retired]));
  const keys = await LeakPublicKeyFile.open(keysFile);
  const intake: LeakIntake = { signature: new LeakSignatureVerifier(keys), policy };
  const lines: string[] = [];
  const logger = pino({ level: "trace" }, { write: (line: string) => lines.push(line) });
  const h = await createHarness({ backend: sqliteBackend, logger, leaks: intake });
  let consumers = 0;
  return {
    h,
    github,
    retired,
    keysFile,
    dir,
    lines,
    async issueKey(env = "live") {
      consumers++;
      const consumer = await h.call({
        method: "POST",
        url: "/v1/consumers",
        body: { name: `c${consumers}` },
      });
      const consumerId = (JSON.parse(consumer.body) as { id: string }).id;
      const created = await h.call({
        method: "POST",
        url: `/v1/consumers/${consumerId}/keys`,
        body: { name: "production", env },
      });
      const { key, secret } = JSON.parse(created.body) as { key: { id: string }; secret: string };
      h.secrets.push(secret);
      return { id: key.id, secret, consumerId };
    },
    report(body, options = {}) {
      const signer = options.signer ?? github;
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "github-public-key-identifier": signer.identifier,
        "github-public-key-signature": signBody(signer, body),
      };
      for (const [name, value] of Object.entries(options.headers ?? {})) {
        if (value === undefined) delete headers[name];
        else headers[name] = value;
      }
      return h.app.inject({ method: "POST", url: "/v1/leaks", headers, payload: body });
    },
    async verify(secret) {
      const res = await h.call({ method: "POST", url: "/v1/verify", body: { key: secret } });
      return JSON.parse(res.body) as { valid: boolean; code: string };
    },
    async close() {
      await h.close();
      dir.remove();
    },
  };
}

/** A GitHub partner payload for these tokens. */
export function leakPayload(tokens: readonly string[], source = "content"): string {
  return JSON.stringify(
    tokens.map((token, i) => ({
      token,
      type: "keygate_api_key",
      url: `https://github.com/octocat/hello-world/blob/0123456789abcdef/config-${i}.env`,
      source,
    })),
  );
}
