import { RESET_SQL_STORE } from "../store/sql-store-reset.ts";

/** Empties a migrated SQL store, usage counts and their roll-ups included. */
export const RESET_WITH_USAGE = [
  "delete from usage_minutes",
  "delete from usage_hours",
  "delete from usage_days",
  ...RESET_SQL_STORE,
];
