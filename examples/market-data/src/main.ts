import { createMarketDataServer } from "./index.ts";

/** Runs the demo upstream: `PORT` (default 9090), `HOST` (default 127.0.0.1). */
const port = Number(process.env.PORT ?? 9090);
const host = process.env.HOST ?? "127.0.0.1";
const upstream = createMarketDataServer();
const bound = await upstream.listen(port, host);
console.log(`market-data upstream listening on http://${host}:${bound.port}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    upstream.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
