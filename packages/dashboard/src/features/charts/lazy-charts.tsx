import { type ComponentProps, lazy, Suspense } from "react";
import { LoadingState } from "../../components/loading-state.tsx";

/**
 * Recharts is most of the bundle: the charts load on first use, so the
 * sign-in page and the tables come up without it.
 */
const RequestsChartModule = lazy(() =>
  import("../overview/requests-chart.tsx").then((module) => ({ default: module.RequestsChart })),
);
const TrafficChartModule = lazy(() =>
  import("../rotations/traffic-chart.tsx").then((module) => ({ default: module.TrafficChart })),
);

export function LazyRequestsChart(props: ComponentProps<typeof RequestsChartModule>) {
  return (
    <Suspense fallback={<LoadingState label="the chart" />}>
      <RequestsChartModule {...props} />
    </Suspense>
  );
}

export function LazyTrafficChart(props: ComponentProps<typeof TrafficChartModule>) {
  return (
    <Suspense fallback={<LoadingState label="the chart" />}>
      <TrafficChartModule {...props} />
    </Suspense>
  );
}
