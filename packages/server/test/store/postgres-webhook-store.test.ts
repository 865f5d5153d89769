import { runWebhookStoreContract } from "../../src/store/contract/webhook-store.contract.ts";
import { requireServiceInCi, skipSuite } from "../support/postgres.ts";
import { postgresStoreHarness } from "../support/sql-store-harness.ts";
import { RESET_SQL_STORE } from "./sql-store-reset.ts";

const harness = await postgresStoreHarness("webhooks", RESET_SQL_STORE);

if (harness === null) skipSuite(requireServiceInCi("PostgreSQL"));
else runWebhookStoreContract({ name: "PostgreSQL", ...harness });
