/**
 * Hash routes (`#/consumers/con_…`): the admin port needs no server-side
 * routing for them, and a reload keeps the page.
 */
export type Route =
  | { readonly page: "overview" }
  | { readonly page: "consumers" }
  | { readonly page: "consumer"; readonly id: string }
  | { readonly page: "rotation"; readonly id: string }
  | { readonly page: "audit" }
  | { readonly page: "webhooks" }
  | { readonly page: "plans" }
  | { readonly page: "admin-tokens" }
  | { readonly page: "not-found"; readonly path: string };

const ID = /^[A-Za-z0-9_]{1,80}$/;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/\/+$/, "") || "/";
  const [, first = "", second, ...rest] = path.split("/");
  if (rest.length > 0) return { page: "not-found", path };
  if (first === "" && second === undefined) return { page: "overview" };
  if (second === undefined) {
    if (first === "consumers") return { page: "consumers" };
    if (first === "audit") return { page: "audit" };
    if (first === "webhooks") return { page: "webhooks" };
    if (first === "plans") return { page: "plans" };
    if (first === "admin-tokens") return { page: "admin-tokens" };
  } else if (ID.test(second)) {
    if (first === "consumers") return { page: "consumer", id: second };
    if (first === "rotations") return { page: "rotation", id: second };
  }
  return { page: "not-found", path };
}

export const href = {
  overview: () => "#/",
  consumers: () => "#/consumers",
  consumer: (id: string) => `#/consumers/${encodeURIComponent(id)}`,
  rotation: (id: string) => `#/rotations/${encodeURIComponent(id)}`,
  audit: () => "#/audit",
  webhooks: () => "#/webhooks",
  plans: () => "#/plans",
  adminTokens: () => "#/admin-tokens",
};
