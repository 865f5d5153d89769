/** The portal's pages by path; the server answers the same index.html at each of them. */
export type PortalRoute =
  | { readonly page: "sign-in" }
  | { readonly page: "continue"; readonly token: string }
  | { readonly page: "keys" }
  | { readonly page: "key"; readonly id: string }
  | { readonly page: "rotation"; readonly id: string }
  | { readonly page: "usage" }
  | { readonly page: "account" }
  | { readonly page: "not-found"; readonly path: string };

const ID = /^[A-Za-z0-9_]{1,80}$/;
/** Sign-in tokens are URL-safe; anything else is not one of ours. */
const TOKEN = /^[A-Za-z0-9_-]{1,200}$/;

export function parsePortalPath(pathname: string): PortalRoute {
  const path = pathname.replace(/\/+$/, "") || "/";
  const [, first = "", second, ...rest] = path.split("/");
  if (rest.length > 0) return { page: "not-found", path };
  if (second === undefined) {
    if (first === "") return { page: "keys" };
    if (first === "login") return { page: "sign-in" };
    if (first === "usage") return { page: "usage" };
    if (first === "account") return { page: "account" };
    return { page: "not-found", path };
  }
  if (first === "login" && TOKEN.test(second)) return { page: "continue", token: second };
  if (first === "keys" && ID.test(second)) return { page: "key", id: second };
  if (first === "rotations" && ID.test(second)) return { page: "rotation", id: second };
  return { page: "not-found", path };
}

/** True for the pages shown without a session. */
export function isSignInRoute(route: PortalRoute): boolean {
  return route.page === "sign-in" || route.page === "continue";
}

export const portalHref = {
  keys: () => "/",
  key: (id: string) => `/keys/${encodeURIComponent(id)}`,
  rotation: (id: string) => `/rotations/${encodeURIComponent(id)}`,
  usage: () => "/usage",
  account: () => "/account",
  signIn: () => "/login",
};
