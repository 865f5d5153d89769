/** Raised when the store does not answer a verification read in time. */
export class StoreTimeoutError extends Error {
  constructor(ms: number) {
    super(`store did not answer within ${ms} ms`);
    this.name = "StoreTimeoutError";
  }
}

/**
 * `pending`, or a rejection with `StoreTimeoutError` after `ms` of wall time.
 * The timer is unref'd: it never keeps a process alive.
 */
export function withTimeout<T>(pending: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StoreTimeoutError(ms)), ms);
    timer.unref();
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
