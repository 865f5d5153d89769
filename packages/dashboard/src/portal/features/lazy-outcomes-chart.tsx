import { type ComponentProps, lazy, Suspense } from "react";
import { LoadingState } from "../../components/loading-state.tsx";

/** Recharts loads on the first chart (as in the dashboard): sign-in and the keys list come up without it. */
const OutcomesChartModule = lazy(() =>
  import("./outcomes-chart.tsx").then((module) => ({ default: module.OutcomesChart })),
);

export function LazyOutcomesChart(props: ComponentProps<typeof OutcomesChartModule>) {
  return (
    <Suspense fallback={<LoadingState label="the chart" />}>
      <OutcomesChartModule {...props} />
    </Suspense>
  );
}
