import { isWellFormedKey } from "./key-shape.ts";
import { KeygateClientError } from "./keygate-client-error.ts";

/** What the client keeps from a `201` of `POST /v1/self/rotate` (`{key: {id, version, …}, secret}`). */
export interface RotatedKey {
  readonly secret: string;
  readonly keyId?: string;
  readonly version?: number;
}

export async function readRotateResponse(response: Response, oldHint: string): Promise<RotatedKey> {
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new KeygateClientError("ROTATION_FAILED", `self-rotation of ${oldHint} returned no JSON`, {
      cause: error,
    });
  }
  const record = isRecord(body) ? body : {};
  const secret = record.secret;
  if (typeof secret !== "string" || !isWellFormedKey(secret)) {
    throw new KeygateClientError("ROTATION_FAILED", `self-rotation of ${oldHint} returned no usable secret`);
  }
  const key = isRecord(record.key) ? record.key : {};
  return {
    secret,
    ...(typeof key.id === "string" ? { keyId: key.id } : {}),
    ...(typeof key.version === "number" ? { version: key.version } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
