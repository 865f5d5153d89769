import type { Change } from "@keygate/core";

/** The stream entry field holding the JSON-encoded change. */
export const CHANGE_FIELD = "change";

export function encodeChange(change: Change): string {
  return JSON.stringify({
    id: change.id,
    at: change.at,
    keyIds: change.keyIds,
    consumerIds: change.consumerIds,
    hashes: change.hashes,
    all: change.all,
    ...(change.fence === undefined ? {} : { fence: change.fence }),
  });
}

/**
 * Reads a change back from a stream entry's fields. An entry that cannot be
 * read (written by something else, or a future format) becomes a
 * drop-everything change: applying too much only costs cache misses, while
 * skipping it could keep a revoked key valid on this node.
 */
export function decodeChange(
  fields: readonly string[],
  streamId: string,
): { change: Change; valid: boolean } {
  const raw = fieldValue(fields, CHANGE_FIELD);
  const parsed = raw === undefined ? undefined : parseJson(raw);
  if (isChange(parsed)) return { change: parsed, valid: true };
  const id =
    typeof parsed === "object" && parsed !== null && "id" in parsed && typeof parsed.id === "string"
      ? parsed.id
      : `stream:${streamId}`;
  return {
    change: {
      id,
      at: Number.parseInt(streamId, 10) || 0,
      keyIds: [],
      consumerIds: [],
      hashes: [],
      all: true,
    },
    valid: false,
  };
}

function fieldValue(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function isChange(value: unknown): value is Change {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === "string" &&
    typeof v.at === "number" &&
    isStringArray(v.keyIds) &&
    isStringArray(v.consumerIds) &&
    isStringArray(v.hashes) &&
    typeof v.all === "boolean" &&
    (v.fence === undefined || v.fence === "revoke" || v.fence === "lift" || v.fence === "release")
  );
}
