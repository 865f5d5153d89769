/**
 * The provider's accent colour, made safe to read: the portal uses it for
 * links, focus rings and the text of primary buttons on white, so it is
 * darkened (mixed with black) until it reaches WCAG AA (4.5:1) against both
 * the page background and white. Contrast is symmetric, so white button text
 * on it passes too. The colour as given still tints decorative parts.
 */
type Rgb = readonly [number, number, number];

const WHITE: Rgb = [255, 255, 255];
/** `--bg` of styles.css (#f1f5f9), the darker of the two backgrounds links sit on. */
const PAGE_BG: Rgb = [241, 245, 249];
const AA = 4.5;

function luminance([r, g, b]: Rgb): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

function contrast(a: Rgb, b: Rgb): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
}

function darken([r, g, b]: Rgb, share: number): Rgb {
  return [r * (1 - share), g * (1 - share), b * (1 - share)];
}

const css = ([r, g, b]: Rgb) => `rgb(${Math.round(r)} ${Math.round(g)} ${Math.round(b)})`;

/** Any CSS colour the browser understands, as RGB (the browser parses it); null when it is not one. */
function parseColor(color: string): Rgb | null {
  const probe = document.createElement("span");
  probe.style.color = color;
  if (probe.style.color === "") return null;
  document.body.append(probe);
  const computed = getComputedStyle(probe).color;
  probe.remove();
  const parts = computed.match(/[\d.]+/g)?.map(Number) ?? [];
  const [r, g, b] = parts;
  return r === undefined || g === undefined || b === undefined ? null : [r, g, b];
}

const PROPERTIES = ["--primary", "--primary-hover", "--focus", "--accent"] as const;

/** Sets the accent's CSS variables on the document (style.setProperty passes `style-src 'self'`). */
export function applyAccentColor(color: string | null): void {
  const root = document.documentElement.style;
  const rgb = color === null ? null : parseColor(color);
  if (rgb === null) {
    for (const property of PROPERTIES) root.removeProperty(property);
    return;
  }
  let readable = rgb;
  for (
    let step = 1;
    step <= 20 && Math.min(contrast(readable, WHITE), contrast(readable, PAGE_BG)) < AA;
    step++
  )
    readable = darken(rgb, step * 0.05);
  root.setProperty("--primary", css(readable));
  root.setProperty("--primary-hover", css(darken(readable, 0.18)));
  root.setProperty("--focus", css(readable));
  root.setProperty("--accent", css(rgb));
}
