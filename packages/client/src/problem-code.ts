/**
 * The keygate error `code` of a problem+json response, read from a clone so
 * the caller still gets an unread body; `null` for anything else.
 */
export async function readProblemCode(response: Response): Promise<string | null> {
  const type = response.headers.get("content-type") ?? "";
  if (!/^application\/(?:problem\+)?json\b/i.test(type)) return null;
  try {
    const body: unknown = await response.clone().json();
    if (typeof body === "object" && body !== null && "code" in body && typeof body.code === "string") {
      return body.code;
    }
  } catch {
    // Not JSON after all: not a keygate problem.
  }
  return null;
}
