import type { RegisteredRoute } from "../../../src/admin/admin-app.ts";

const ID_PREFIX: Record<string, string> = { consumers: "con", keys: "key", rotations: "rot", changes: "chg" };

/** A concrete, well-formed URL for a route pattern (`/v1/keys/:id/rotate` → `/v1/keys/key_…/rotate`). */
export function concreteUrl(
  route: Pick<RegisteredRoute, "url">,
  fill?: (param: string, resource: string) => string,
): string {
  const segments = route.url.split("/");
  return segments
    .map((segment, index) => {
      if (!segment.startsWith(":")) return segment;
      const resource = segments[index - 1] ?? "";
      if (fill) return fill(segment.slice(1), resource);
      return segment === ":name" ? "pro" : `${ID_PREFIX[resource] ?? "xxx"}_0V70MWDgEjExtokM1T5ObJ`;
    })
    .join("/");
}
