import { runAnalyticsStoreContract } from "../../src/store/contract/analytics-store.contract.ts";
import { requireServiceInCi, skipSuite } from "../support/postgres.ts";
import { postgresStoreHarness } from "../support/sql-store-harness.ts";
import { RESET_WITH_USAGE } from "./reset-usage.ts";

const harness = await postgresStoreHarness("usage", RESET_WITH_USAGE);

if (harness === null) skipSuite(requireServiceInCi("PostgreSQL"));
else runAnalyticsStoreContract({ name: "PostgreSQL", ...harness });
