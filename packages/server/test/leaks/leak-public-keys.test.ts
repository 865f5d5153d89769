import { generateKeyPairSync } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KeygateError } from "@keygate/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LeakPublicKeyFile } from "../../src/leaks/leak-public-keys.ts";
import { LeakSignatureVerifier } from "../../src/leaks/leak-signature.ts";
import { newSigner, publicKeysDocument, signBody, type TempDir, tempDir } from "./support/leak-fixtures.ts";

function pem(type: "rsa" | "p384"): string {
  const pair =
    type === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: "P-384" });
  return pair.publicKey.export({ type: "spki", format: "pem" }).toString();
}

describe("KEYGATE_LEAK_PUBLIC_KEYS file", () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => {
    dir.remove();
  });

  const opening = async (content: string) => {
    const file = dir.file("keys.json", content);
    try {
      await LeakPublicKeyFile.open(file);
    } catch (error) {
      return { file, error };
    }
    return { file, error: undefined };
  };

  it("refuses an unusable file at start with an error naming the file and the problem", async () => {
    const cases: Array<[string, string]> = [
      ["not json", "not valid JSON"],
      ["{}", "public_keys"],
      [JSON.stringify({ public_keys: [] }), "public_keys"],
      [
        JSON.stringify({ public_keys: [{ key_identifier: "a", key: "nope" }] }),
        "public_keys.0.key is not a PEM",
      ],
      [JSON.stringify({ public_keys: [{ key_identifier: "a", key: pem("rsa") }] }), "not an ECDSA P-256"],
      [JSON.stringify({ public_keys: [{ key_identifier: "a", key: pem("p384") }] }), "not an ECDSA P-256"],
      [
        publicKeysDocument([newSigner("same"), newSigner("same")]),
        "public_keys.1.key_identifier is listed twice",
      ],
    ];
    for (const [content, message] of cases) {
      const { file, error } = await opening(content);
      expect(error, content).toBeInstanceOf(KeygateError);
      expect((error as KeygateError).code).toBe("VALIDATION_FAILED");
      expect((error as KeygateError).detail).toContain(file);
      expect((error as KeygateError).detail).toContain(message);
    }
    const missing = join(dir.path, "absent.json");
    await expect(LeakPublicKeyFile.open(missing)).rejects.toThrow(`${missing}: cannot read it (ENOENT)`);
  });

  it("loads GitHub's document shape, ignoring fields it may add", async () => {
    const signer = newSigner("k1");
    const document = JSON.parse(publicKeysDocument([signer])) as { public_keys: Record<string, unknown>[] };
    document.public_keys[0] = { ...document.public_keys[0], added_later: true };
    const keys = await LeakPublicKeyFile.open(dir.file("keys.json", JSON.stringify(document)));
    expect(keys.identifiers()).toEqual(["k1"]);
    expect((await keys.find("k1"))?.isCurrent).toBe(true);
  });

  it("picks up a changed file without a restart, and keeps the last good keys when a change is broken", async () => {
    const first = newSigner("first");
    const second = newSigner("second");
    const file = dir.file("keys.json", publicKeysDocument([first]));
    const errors: KeygateError[] = [];
    const keys = await LeakPublicKeyFile.open(file, { onReloadError: (e) => errors.push(e) });
    const verifier = new LeakSignatureVerifier(keys);
    const body = Buffer.from('[{"token":"x","type":"t"}]');
    const headers = (signer: ReturnType<typeof newSigner>) => ({
      "github-public-key-identifier": signer.identifier,
      "github-public-key-signature": signBody(signer, body),
    });
    expect(await verifier.check(body, headers(second))).toEqual({ ok: false, reason: "unknown_key" });

    // Replaced the way deploy tools do it: write beside, rename over.
    writeFileSync(join(dir.path, "next.json"), publicKeysDocument([second]));
    renameSync(join(dir.path, "next.json"), file);
    expect(await verifier.check(body, headers(second))).toEqual({ ok: true, keyIdentifier: "second" });
    expect(await verifier.check(body, headers(first))).toEqual({ ok: false, reason: "unknown_key" });

    writeFileSync(file, "{ half-written");
    expect(await verifier.check(body, headers(second))).toEqual({ ok: true, keyIdentifier: "second" });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.detail).toContain(file);
  });
});
