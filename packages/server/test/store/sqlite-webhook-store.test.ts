import { runWebhookStoreContract } from "../../src/store/contract/webhook-store.contract.ts";
import { sqliteStoreHarness } from "../support/sql-store-harness.ts";
import { RESET_SQL_STORE } from "./sql-store-reset.ts";

runWebhookStoreContract({
  name: "SQLite file",
  ...sqliteStoreHarness({ label: "webhooks", file: ["keygate.db"], reset: RESET_SQL_STORE }),
});
