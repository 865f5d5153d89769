import type { AdminRoute } from "./route-kit.ts";
import { createAdminTokenRoute } from "./routes/admin-tokens.create.ts";
import { listAdminTokensRoute } from "./routes/admin-tokens.list.ts";
import { revokeAdminTokenRoute } from "./routes/admin-tokens.revoke.ts";
import { listAlertsRoute } from "./routes/alerts.list.ts";
import { listAuditRoute } from "./routes/audit.list.ts";
import { verifyAuditRoute } from "./routes/audit.verify.ts";
import { getChangeRoute } from "./routes/changes.get.ts";
import { createConsumerRoute } from "./routes/consumers.create.ts";
import { getConsumerRoute } from "./routes/consumers.get.ts";
import { listConsumersRoute } from "./routes/consumers.list.ts";
import { consumerMailRoute } from "./routes/consumers.mail.ts";
import { consumerPortalLinkRoute } from "./routes/consumers.portal-link.ts";
import { updateConsumerRoute } from "./routes/consumers.update.ts";
import { consumerUsageRoute } from "./routes/consumers.usage.ts";
import { openapiJsonRoute } from "./routes/docs.openapi-json.ts";
import { docsRoute } from "./routes/docs.ts";
import { healthRoute } from "./routes/health.ts";
import { createKeyRoute } from "./routes/keys.create.ts";
import { getKeyRoute } from "./routes/keys.get.ts";
import { keyIncidentRoute } from "./routes/keys.incident.ts";
import { listKeysRoute } from "./routes/keys.list.ts";
import { requestRotationRoute } from "./routes/keys.request-rotation.ts";
import { revokeKeyRoute } from "./routes/keys.revoke.ts";
import { revokeManyKeysRoute } from "./routes/keys.revoke-many.ts";
import { rotateKeyRoute } from "./routes/keys.rotate.ts";
import { updateKeyRoute } from "./routes/keys.update.ts";
import { keyUsageRoute } from "./routes/keys.usage.ts";
import { reportLeaksRoute } from "./routes/leaks.report.ts";
import { getMeRoute } from "./routes/me.get.ts";
import { metricsRoute } from "./routes/metrics.ts";
import { listNodesRoute } from "./routes/nodes.list.ts";
import { listPlansRoute } from "./routes/plans.list.ts";
import { putPlanRoute } from "./routes/plans.put.ts";
import { readyRoute } from "./routes/ready.ts";
import { completeRotationRoute } from "./routes/rotations.complete.ts";
import { getRotationRoute } from "./routes/rotations.get.ts";
import { listRotationsRoute } from "./routes/rotations.list.ts";
import { rollbackRotationRoute } from "./routes/rotations.rollback.ts";
import { selfRotateRoute } from "./routes/self.rotate.ts";
import { getStatsRoute } from "./routes/stats.get.ts";
import { verifyRoute } from "./routes/verify.ts";
import { createWebhookRoute } from "./routes/webhooks.create.ts";
import { deleteWebhookRoute } from "./routes/webhooks.delete.ts";
import { listDeliveriesRoute } from "./routes/webhooks.deliveries.ts";
import { getDeliveryRoute } from "./routes/webhooks.delivery.ts";
import { getWebhookRoute } from "./routes/webhooks.get.ts";
import { listWebhooksRoute } from "./routes/webhooks.list.ts";
import { redeliverRoute } from "./routes/webhooks.redeliver.ts";
import { rotateWebhookSecretRoute } from "./routes/webhooks.rotate-secret.ts";

/** Every endpoint of the admin port, in the order the OpenAPI document lists them. */
export const adminRoutes: readonly AdminRoute[] = [
  putPlanRoute,
  listPlansRoute,
  createConsumerRoute,
  listConsumersRoute,
  getConsumerRoute,
  updateConsumerRoute,
  consumerUsageRoute,
  consumerPortalLinkRoute,
  consumerMailRoute,
  createKeyRoute,
  listKeysRoute,
  getKeyRoute,
  rotateKeyRoute,
  revokeKeyRoute,
  revokeManyKeysRoute,
  requestRotationRoute,
  keyIncidentRoute,
  keyUsageRoute,
  updateKeyRoute,
  listRotationsRoute,
  getRotationRoute,
  rollbackRotationRoute,
  completeRotationRoute,
  verifyRoute,
  selfRotateRoute,
  reportLeaksRoute,
  createWebhookRoute,
  listWebhooksRoute,
  getWebhookRoute,
  deleteWebhookRoute,
  rotateWebhookSecretRoute,
  listDeliveriesRoute,
  getDeliveryRoute,
  redeliverRoute,
  getStatsRoute,
  listAlertsRoute,
  listAuditRoute,
  verifyAuditRoute,
  getChangeRoute,
  listNodesRoute,
  createAdminTokenRoute,
  listAdminTokensRoute,
  revokeAdminTokenRoute,
  getMeRoute,
  healthRoute,
  readyRoute,
  metricsRoute,
  docsRoute,
  openapiJsonRoute,
];
