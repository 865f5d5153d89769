import { verify } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { LeakPublicKeyFile } from "./leak-public-keys.ts";

/** Names the public key (`key_identifier` of the public-keys document) that signed the request. */
export const KEY_IDENTIFIER_HEADER = "github-public-key-identifier";
/** Base64 of an ASN.1 DER ECDSA P-256 signature over SHA-256 of the raw request body. */
export const SIGNATURE_HEADER = "github-public-key-signature";

/** A DER P-256 signature is at most 72 bytes (96 base64 characters); anything much longer is not one. */
const MAX_SIGNATURE_LENGTH = 256;
const MAX_IDENTIFIER_LENGTH = 256;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export type SignatureCheck =
  | { readonly ok: true; readonly keyIdentifier: string }
  | {
      readonly ok: false;
      readonly reason: "not_configured" | "missing_headers" | "unknown_key" | "bad_signature";
    };

/** Secret-free explanations of a refused report, for the 401's detail. */
export const SIGNATURE_FAILURE_DETAIL: Record<Exclude<SignatureCheck, { ok: true }>["reason"], string> = {
  not_configured: "leak reports are not accepted by this node: KEYGATE_LEAK_PUBLIC_KEYS is not set",
  missing_headers: `a leak report must carry the ${KEY_IDENTIFIER_HEADER} and ${SIGNATURE_HEADER} headers`,
  unknown_key: `no public key matches the ${KEY_IDENTIFIER_HEADER} header`,
  bad_signature: "the signature does not match the request body",
};

function single(value: string | string[] | undefined, max: number): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= max ? value : undefined;
}

/**
 * Verifies GitHub secret-scanning partner signatures: ECDSA P-256 with
 * SHA-256 over the exact bytes of the body (GitHub signs the raw body, so a
 * re-serialized JSON would not match), with the public key the
 * `Github-Public-Key-Identifier` header names.
 */
export class LeakSignatureVerifier {
  readonly #keys: LeakPublicKeyFile;

  constructor(keys: LeakPublicKeyFile) {
    this.#keys = keys;
  }

  async check(rawBody: Buffer, headers: IncomingHttpHeaders): Promise<SignatureCheck> {
    const identifier = single(headers[KEY_IDENTIFIER_HEADER], MAX_IDENTIFIER_LENGTH);
    const signature = single(headers[SIGNATURE_HEADER], MAX_SIGNATURE_LENGTH);
    if (identifier === undefined || signature === undefined) return { ok: false, reason: "missing_headers" };
    const publicKey = await this.#keys.find(identifier);
    if (publicKey === undefined) return { ok: false, reason: "unknown_key" };
    if (!BASE64.test(signature)) return { ok: false, reason: "bad_signature" };
    let valid: boolean;
    try {
      valid = verify("sha256", rawBody, publicKey.key, Buffer.from(signature, "base64"));
    } catch {
      // OpenSSL rejects some malformed DER by throwing rather than answering false.
      valid = false;
    }
    return valid ? { ok: true, keyIdentifier: identifier } : { ok: false, reason: "bad_signature" };
  }
}
