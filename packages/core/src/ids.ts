import { BASE62_ALPHABET } from "./keys/base62.ts";
import type { Random } from "./ports.ts";

export type IdPrefix =
  | "con"
  | "key"
  | "lin"
  | "rot"
  | "evt"
  | "adm"
  | "whk"
  | "dlv"
  | "chg"
  | "msg"
  | "ptk"
  | "pss"
  | "ops"
  | "mail";

/**
 * A prefixed, sortable-enough identifier: `key_` + 8 base62 chars of the
 * millisecond time (so listings order by creation) + 14 random base62 chars.
 */
export function newId(prefix: IdPrefix, now: number, random: Random): string {
  let time = "";
  let rest = Math.floor(now);
  for (let i = 0; i < 8; i++) {
    time = BASE62_ALPHABET.charAt(rest % 62) + time;
    rest = Math.floor(rest / 62);
  }
  let tail = "";
  while (tail.length < 14) {
    for (const byte of random.bytes(20)) {
      if (byte < 248 && tail.length < 14) tail += BASE62_ALPHABET.charAt(byte % 62);
    }
  }
  return `${prefix}_${time}${tail}`;
}
