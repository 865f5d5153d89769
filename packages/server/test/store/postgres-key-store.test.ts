import { runKeyStoreContract } from "../../src/store/contract/key-store.contract.ts";
import { requireServiceInCi, skipSuite } from "../support/postgres.ts";
import { postgresStoreHarness } from "../support/sql-store-harness.ts";
import { RESET_SQL_STORE } from "./sql-store-reset.ts";

const harness = await postgresStoreHarness("contract", RESET_SQL_STORE);

if (harness === null) skipSuite(requireServiceInCi("PostgreSQL"));
else runKeyStoreContract({ name: "PostgreSQL", ...harness });
