import { runKeyStoreContract } from "../../src/store/contract/key-store.contract.ts";
import { sqliteStoreHarness } from "../support/sql-store-harness.ts";
import { RESET_SQL_STORE } from "./sql-store-reset.ts";

// The file sits in a directory that does not exist yet: the store must create it.
runKeyStoreContract({
  name: "SQLite file",
  ...sqliteStoreHarness({ label: "contract", file: ["nested", "keygate.db"], reset: RESET_SQL_STORE }),
});
