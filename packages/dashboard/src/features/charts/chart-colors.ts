/**
 * Chart colours: blue and orange stay apart for the common colour-vision
 * deficiencies, and each series is also named in the legend and caption.
 */
export const CHART_COLORS = {
  valid: "#1d4ed8",
  failed: "#c2410c",
  oldKey: "#c2410c",
  newKey: "#1d4ed8",
  grid: "#e2e8f0",
  axis: "#475569",
} as const;
