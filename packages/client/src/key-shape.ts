/**
 * Shape of a keygate secret: `kg_<env>_<32 base62>_<6 base62 checksum>`.
 * The client checks only the shape (not the checksum): enough to ignore a
 * half-written or mistyped store value instead of sending it.
 */
const KEY_SHAPE = /^kg_[a-z]+_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/;

export function isWellFormedKey(value: string): boolean {
  return KEY_SHAPE.test(value);
}

/**
 * A display hint: the first 12 and the last 4 characters, never enough to
 * authenticate. The only form in which the client ever reports a key.
 */
export function keyHint(secret: string): string {
  if (secret.length <= 16) return `${secret.slice(0, Math.min(4, secret.length))}…`;
  return `${secret.slice(0, 12)}…${secret.slice(-4)}`;
}
