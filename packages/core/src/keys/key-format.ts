import type { KeyEnv } from "../model.ts";
import type { Random } from "../ports.ts";
import { BASE62_ALPHABET, base62Digit, encodeBase62Fixed, isBase62Code } from "./base62.ts";
import { CRC32_INIT, crc32Ascii, crc32Final, crc32Step } from "./crc32.ts";

/**
 * Key layout: `kg_<env>_<32 base62 random>_<6 base62 CRC32>`.
 *
 * - `env` is `live` or `test`, both four letters, so every key is exactly 47
 *   characters and the shape check is a handful of comparisons.
 * - 32 base62 characters carry 32·log2(62) ≈ 190.5 bits from the CSPRNG.
 * - The checksum is CRC-32 of everything before the last underscore
 *   (`kg_live_<random>`), as 6 base62 digits (62^6 > 2^32). It lets the gateway
 *   and secret scanners reject typos and random strings without a lookup.
 */
export const KEY_LENGTH = 47;
export const KEY_RANDOM_LENGTH = 32;
const CHECKSUM_START = 41; // "kg_live_" (8) + 32 random + "_" (1)
const CHECKSUM_LENGTH = 6;

export type ParsedKey = { readonly ok: true; readonly env: KeyEnv } | { readonly ok: false };

const MALFORMED: ParsedKey = { ok: false };
const LIVE: ParsedKey = { ok: true, env: "live" };
const TEST: ParsedKey = { ok: true, env: "test" };

/** Generates a new secret from `random` (rejection sampling: no modulo bias). */
export function generateKeySecret(random: Random, env: KeyEnv): string {
  let body = "";
  while (body.length < KEY_RANDOM_LENGTH) {
    const bytes = random.bytes(48);
    for (const byte of bytes) {
      // 248 = 4·62: bytes at or above it would favour the first 8 symbols.
      if (byte < 248 && body.length < KEY_RANDOM_LENGTH) body += BASE62_ALPHABET.charAt(byte % 62);
    }
  }
  const head = `kg_${env}_${body}`;
  return `${head}_${encodeBase62Fixed(crc32Ascii(head), CHECKSUM_LENGTH)}`;
}

/** CRC-32 state after `kg_live_` and after `kg_test_`: every key starts with one of the two. */
const LIVE_PREFIX_CRC = prefixCrc("kg_live_");
const TEST_PREFIX_CRC = prefixCrc("kg_test_");

function prefixCrc(prefix: string): number {
  let crc = CRC32_INIT;
  for (let i = 0; i < prefix.length; i++) crc = crc32Step(crc, prefix.charCodeAt(i));
  return crc;
}

/**
 * Checks shape and checksum without allocating. Anything that fails here is
 * `KEY_MALFORMED` and never reaches a store or cache. It runs on every
 * request, so each character is read once: the random part is checked and
 * folded into the CRC (resumed from the env prefix's precomputed state) in
 * one pass, and the checksum digits are decoded and compared as a number
 * rather than re-encoding the CRC (fixed-width base62 is unique, so the two
 * comparisons agree).
 */
export function parseKeySecret(secret: string): ParsedKey {
  if (secret.length !== KEY_LENGTH) return MALFORMED;
  if (secret.charCodeAt(0) !== 107 || secret.charCodeAt(1) !== 103 || secret.charCodeAt(2) !== 95) {
    return MALFORMED; // "kg_"
  }
  const env = envAt(secret);
  if (!env.ok || secret.charCodeAt(7) !== 95 || secret.charCodeAt(CHECKSUM_START - 1) !== 95) {
    return MALFORMED;
  }
  let crc = env === LIVE ? LIVE_PREFIX_CRC : TEST_PREFIX_CRC;
  for (let i = 8; i < CHECKSUM_START - 1; i++) {
    const code = secret.charCodeAt(i);
    if (!isBase62Code(code)) return MALFORMED;
    crc = crc32Step(crc, code);
  }
  let checksum = 0;
  for (let i = CHECKSUM_START; i < KEY_LENGTH; i++) {
    const digit = base62Digit(secret.charCodeAt(i));
    if (digit < 0) return MALFORMED;
    checksum = checksum * 62 + digit;
  }
  return checksum === crc32Final(crc) ? env : MALFORMED;
}

/** `live` or `test` at positions 3–6, compared by char code. */
function envAt(secret: string): ParsedKey {
  const a = secret.charCodeAt(3);
  const b = secret.charCodeAt(4);
  const c = secret.charCodeAt(5);
  const d = secret.charCodeAt(6);
  if (a === 108 && b === 105 && c === 118 && d === 101) return LIVE; // "live"
  if (a === 116 && b === 101 && c === 115 && d === 116) return TEST; // "test"
  return MALFORMED;
}

/** The display hint stored beside the hash: prefix and last 4, never enough to use. */
export function keyHint(secret: string): string {
  return `${secret.slice(0, 12)}…${secret.slice(-4)}`;
}
