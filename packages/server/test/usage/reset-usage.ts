import { RESET_SQL_STORE } from "../store/sql-store-reset.ts";

/** Empties a migrated SQL store, usage counts included. */
export const RESET_WITH_USAGE = ["delete from usage_minutes", ...RESET_SQL_STORE];
