/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the checksum GitHub's
 * token format made common for secret scanning. Computed over the UTF-16 code
 * units of an ASCII string, which equal its bytes.
 */
const table = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32Ascii(text: string, end: number = text.length): number {
  let crc = 0xffffffff;
  for (let i = 0; i < end; i++) {
    crc = (table[(crc ^ text.charCodeAt(i)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * One CRC-32 step over a char code, for callers that fold the checksum into
 * a loop of their own: start from `CRC32_INIT`, finish with `crc32Final`.
 */
export function crc32Step(crc: number, code: number): number {
  return (table[(crc ^ code) & 0xff] ?? 0) ^ (crc >>> 8);
}

export const CRC32_INIT = 0xffffffff;

export function crc32Final(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0;
}
