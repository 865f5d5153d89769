import { hash, randomBytes } from "node:crypto";
import type { Clock, Hasher, Random } from "@keygate/core";

/** Wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** The OS CSPRNG. */
export const cryptoRandom: Random = { bytes: (length) => randomBytes(length) };

/** One-shot SHA-256 (`crypto.hash`, Node ≥ 20.12): no Hash object per call. */
export const nodeHasher: Hasher = {
  sha256Hex: (text) => hash("sha256", text, "hex"),
  sha256Latin1: (text) => hash("sha256", text, "binary"),
};
