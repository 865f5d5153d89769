/** Reads a string property of an error thrown by a driver without trusting its shape. */
export function errorField(error: unknown, field: "code" | "message" | "constraint"): string | undefined {
  if (typeof error !== "object" || error === null || !(field in error)) return undefined;
  const value: unknown = Reflect.get(error, field);
  return typeof value === "string" ? value : undefined;
}

/** The error and, for an `AggregateError` (Node tries every resolved address), each of its causes. */
export function errorChain(error: unknown): unknown[] {
  if (error instanceof AggregateError) return [error, ...error.errors];
  return [error];
}

/** Raised inside a transaction when a write's guard does not hold; the transaction rolls back. */
export class WriteConflict extends Error {
  override readonly name = "WriteConflict";
}
