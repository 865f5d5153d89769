import type { PortalRoute } from "./portal-route-kit.ts";
import { brandingRoute } from "./routes/branding.get.ts";
import { createKeyRoute } from "./routes/keys.create.ts";
import { getKeyRoute } from "./routes/keys.get.ts";
import { listKeysRoute } from "./routes/keys.list.ts";
import { revokeKeyRoute } from "./routes/keys.revoke.ts";
import { rotateKeyRoute } from "./routes/keys.rotate.ts";
import { updateKeyRoute } from "./routes/keys.update.ts";
import { loginLinksRoute } from "./routes/login-links.create.ts";
import { logoutRoute } from "./routes/logout.ts";
import { meRoute } from "./routes/me.get.ts";
import { updateMeRoute } from "./routes/me.update.ts";
import { portalOpenApiRoute } from "./routes/openapi.get.ts";
import { completeRotationRoute, rollbackRotationRoute } from "./routes/rotations.finish.ts";
import { getRotationRoute } from "./routes/rotations.get.ts";
import { createSessionRoute } from "./routes/sessions.create.ts";
import { keyUsageRoute, usageRoute } from "./routes/usage.get.ts";

/** Every route of the portal API (`/portal/v1`), in the order the OpenAPI document lists them. */
export const portalRoutes: readonly PortalRoute[] = [
  brandingRoute,
  loginLinksRoute,
  createSessionRoute,
  logoutRoute,
  meRoute,
  updateMeRoute,
  listKeysRoute,
  createKeyRoute,
  getKeyRoute,
  updateKeyRoute,
  rotateKeyRoute,
  revokeKeyRoute,
  getRotationRoute,
  completeRotationRoute,
  rollbackRotationRoute,
  usageRoute,
  keyUsageRoute,
  portalOpenApiRoute,
];
