/**
 * Prometheus texts of several registries (the node's, the limiter's, the
 * cluster's, the gateway's and forward auth's) as one exposition: each part
 * ends with a newline, empty parts are dropped. Metric names must not repeat
 * across parts (each registry owns its own prefix).
 */
export function joinExposition(parts: readonly string[]): string {
  let text = "";
  for (const part of parts) {
    if (part === "") continue;
    text += part.endsWith("\n") ? part : `${part}\n`;
  }
  return text;
}
