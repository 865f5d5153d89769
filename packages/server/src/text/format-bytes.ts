const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

/** `512 B`, `1.5 KiB`, `110.2 MiB`: binary units, one decimal from KiB up. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}
