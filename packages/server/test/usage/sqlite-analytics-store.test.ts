import { runAnalyticsStoreContract } from "../../src/store/contract/analytics-store.contract.ts";
import { sqliteStoreHarness } from "../support/sql-store-harness.ts";
import { RESET_WITH_USAGE } from "./reset-usage.ts";

runAnalyticsStoreContract({
  name: "SQLite file",
  ...sqliteStoreHarness({ label: "usage", file: ["keygate.db"], reset: RESET_WITH_USAGE }),
});
