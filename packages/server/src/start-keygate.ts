import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { Clock } from "@keygate/core";
import type { Logger } from "pino";
import { buildAdminApp } from "./admin/admin-app.ts";
import { ensureBootstrapToken } from "./admin/admin-tokens.ts";
import { injectSelfRotate } from "./admin/inject-self-rotate.ts";
import { adminSsoOptions } from "./admin/sso/admin-sso-options.ts";
import { AlertDedupe } from "./alerts/alert-dedupe.ts";
import { AuthFailureGuard } from "./alerts/auth-failure-guard.ts";
import { QuotaThresholdReporter } from "./alerts/quota-threshold-reporter.ts";
import { startAlerts } from "./alerts/start-alerts.ts";
import { createChangeBus } from "./cluster/create-change-bus.ts";
import type { KeygateConfig } from "./config/load-config.ts";
import { createAuthzServer } from "./gateway/authz-server.ts";
import { createGatewayServer } from "./gateway/gateway-server.ts";
import { compileRouteTable } from "./gateway/route-table.ts";
import { jobHolderId } from "./jobs/job-holder-id.ts";
import { startRetentionJob } from "./jobs/retention-job.ts";
import { startRetirementJob } from "./jobs/retire-rotations-job.ts";
import { startRotationPolicyJob } from "./jobs/rotation-policy-job.ts";
import { openLeakIntake } from "./leaks/open-leak-intake.ts";
import { createLimiter } from "./limits/create-limiter.ts";
import { createLogger } from "./logging/create-logger.ts";
import { ConsumerMailer } from "./mail/consumer-mailer.ts";
import { MAIL_KINDS } from "./mail/mail-kinds.ts";
import { MailTemplates } from "./mail/mail-templates.ts";
import { startMailDelivery } from "./mail/start-mail-delivery.ts";
import { joinExposition } from "./metrics/join-exposition.ts";
import { createMetricsListener } from "./metrics/metrics-listener.ts";
import { NodeMetrics } from "./metrics/node-metrics.ts";
import { TimedVerifier } from "./metrics/timed-verifier.ts";
import { VerificationMetrics } from "./metrics/verification-metrics.ts";
import { cryptoRandom, nodeHasher, systemClock } from "./platform/node-platform.ts";
import { buildPortalApp } from "./portal/portal-app.ts";
import { seedPlans } from "./seed-plans.ts";
import type { ServiceDeps } from "./services/service-deps.ts";
import { createKeyStore } from "./store/create-key-store.ts";
import { UsageRecorder } from "./usage/usage-recorder.ts";
import { Verifier } from "./verify/verifier.ts";
import { startWebhookDelivery } from "./webhooks/start-webhook-delivery.ts";
import type { WorkerPart } from "./workers/worker-part.ts";

/** The built dashboard of this repository (`npm run build -w @keygate/dashboard`). */
const DASHBOARD_DIST = fileURLToPath(new URL("../../dashboard/dist", import.meta.url));
/** The built consumer portal web app (same package, second Vite entry). */
const PORTAL_DIST = fileURLToPath(new URL("../../dashboard/dist-portal", import.meta.url));

export interface StartOptions {
  readonly config: KeygateConfig;
  /** Defaults to a pino logger at the config's level on stdout. */
  readonly logger?: Logger;
  readonly clock?: Clock;
  /**
   * Set under `--workers n` (packages/server/src/workers): the primary serves the admin and portal
   * ports, workers the gateway and forward-auth ports; without Redis their bus and counters go over IPC.
   */
  readonly workers?: WorkerPart | undefined;
}

/** A running keygate node. */
export interface RunningNode {
  readonly adminUrl: string | undefined;
  readonly gatewayUrl: string | undefined;
  /** Where this node answers forward auth (roles `all`, `gateway`, `authz`). */
  readonly authzUrl: string | undefined;
  /** The internal metrics listener (roles `gateway` and `authz`, which open no admin port). */
  readonly metricsUrl: string | undefined;
  /** Where this node serves the consumer portal (roles `all` and `portal`). */
  readonly portalUrl: string | undefined;
  /** Set only when this start generated the bootstrap admin token (print it once). */
  readonly generatedAdminToken: string | undefined;
  readonly deps: ServiceDeps;
  readonly logger: Logger;
  /** Graceful: stops accepting, drains, flushes usage, closes the store. */
  close(): Promise<void>;
}

function urlOf(host: string, address: AddressInfo | string | null): string {
  if (address === null || typeof address === "string") throw new Error("server is not listening on TCP");
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${address.port}`;
}

/** The composition root: builds every adapter from the config and starts the node's role. */
export async function startKeygate(options: StartOptions): Promise<RunningNode> {
  const { config } = options;
  const part = options.workers;
  const logger = options.logger ?? createLogger({ level: config.logLevel, nodeId: config.nodeId });
  const clock = options.clock ?? systemClock;
  const store = createKeyStore(config.databaseUrl, { hasher: nodeHasher });
  // A worker's primary migrated before forking it; workers starting together must not race to do it again.
  if (part?.kind !== "worker") await store.migrate();
  const holder = jobHolderId(config.nodeId, cryptoRandom);
  // The verifier exists before the bus, so a bus lost while starting already clears it.
  let verifier: Verifier | undefined;
  const cluster = await createChangeBus({
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    nodeId: holder.replaceAll("/", ":"),
    role: config.role,
    clock,
    logger,
    onBusLost: () => verifier?.setBusConnected(false),
    onBusRestored: () => verifier?.setBusConnected(true),
    local: part?.localBus,
  });
  const { bus } = cluster;
  const deps: ServiceDeps = { store, clock, random: cryptoRandom, hasher: nodeHasher, bus };
  // Before anything else starts: a refused bootstrap (a revoked KEYGATE_ADMIN_TOKEN) must leave
  // nothing running, so the process exits with the error.
  let generatedAdminToken: string | undefined;
  if ((config.role === "all" || config.role === "admin") && part?.kind !== "worker") {
    try {
      generatedAdminToken = (await ensureBootstrapToken({ deps, envToken: config.adminToken })).token;
    } catch (error) {
      await bus.close();
      await store.close();
      throw error;
    }
  }
  // Workers start after their primary seeded the plans (seeding again would only publish the same change).
  if (part?.kind !== "worker") await seedPlans(deps, config.plans, logger);
  // Counts alerts on /metrics once the node's metrics exist (quota alerts can only come after).
  let alertCounter: (type: string) => void = () => undefined;
  // quota.threshold (80 % and 100 %, once per consumer and period across nodes), from the limiter's quota reports.
  const quotaThresholds = new QuotaThresholdReporter(
    deps,
    new AlertDedupe({ leases: store, holder, clock }),
    (type) => alertCounter(type),
  );
  // One limiter for the gateway and POST /v1/verify; plan edits (changes with `all`) reach it through the bus.
  const limiter = await createLimiter({
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    store,
    clock,
    logger,
    liveNodes: async () => (await cluster.liveNodes()).length,
    onQuotaUsage: (usage) => quotaThresholds.observe(usage),
    localCounters: part?.localCounters,
  });
  const unsubscribeLimits = bus.subscribe((change) => {
    if (change.all) limiter.plansChanged();
  });
  // Consumer mail templates, read and compiled once: a broken override stops the start, not a mail.
  const mailTemplates =
    config.smtpUrl === undefined
      ? undefined
      : new MailTemplates({
          brand: {
            title: config.portal.title,
            accentColor: config.portal.accentColor ?? "#2f5bd3",
            supportUrl: config.portal.supportUrl ?? null,
            portalUrl: config.portalUrl,
          },
          overridesDir: config.mail.templatesDir,
          kinds: MAIL_KINDS,
        });
  // Consumer mail from the outbox events (key created, rotation due, sunset in use, …), queued as they fan out.
  const consumerMailer =
    mailTemplates === undefined
      ? undefined
      : new ConsumerMailer({
          deps,
          usage: store,
          templates: mailTemplates,
          portalUrl: config.portalUrl,
          disabledKinds: new Set(config.mail.disabledKinds),
        });
  const webhooks = startWebhookDelivery({
    store,
    config,
    clock,
    random: cryptoRandom,
    logger,
    holder,
    mailsFor:
      consumerMailer === undefined ? undefined : (events, now) => consumerMailer.mailsFor(events, now),
  });

  verifier = new Verifier({
    store,
    clock,
    hasher: nodeHasher,
    ttlMs: config.cache.ttlSeconds * 1000,
    negativeTtlMs: config.cache.negativeTtlSeconds * 1000,
    capacity: config.cache.capacity,
  });
  const nodeVerifier = verifier;
  const unsubscribe = bus.subscribe((change) => nodeVerifier.applyChange(change));
  // Every verification is counted and timed (gateway and POST /v1/verify alike).
  const verification = new VerificationMetrics();
  const timedVerifier = new TimedVerifier(nodeVerifier, verification);
  const usage = new UsageRecorder({ store, usageStore: store, logger });
  // Under --workers the shared ports (gateway, forward auth) are the workers', the others the primary's.
  const sharesPorts = part?.kind !== "primary";
  const servesOnce = part?.kind !== "worker";
  const hasGateway =
    (config.role === "all" || config.role === "gateway") && config.upstream !== undefined && sharesPorts;
  const hasAdmin = (config.role === "all" || config.role === "admin") && servesOnce;
  const hasPortal = (config.role === "all" || config.role === "portal") && servesOnce;
  const hasAuthz =
    (config.role === "all" || config.role === "gateway" || config.role === "authz") && sharesPorts;
  // The internal metrics listener of a node without an admin port: the primary's under --workers (it adds up its workers').
  const hasMetricsListener =
    (config.role === "gateway" || config.role === "authz") && part?.kind !== "worker";
  const failureGuard =
    hasGateway || hasAuthz
      ? new AuthFailureGuard({
          spikePerMinute: config.alerts.failureSpikePerMinute,
          throttlePerMinute: config.alerts.throttleFailuresPerMinute,
          maxTracked: config.alerts.trackedClients,
        })
      : undefined;
  const nodeMetrics = new NodeMetrics({ verification, verifier: nodeVerifier, usage, failureGuard });
  alertCounter = (type) => nodeMetrics.alert(type);
  const unsubscribeMetrics = bus.subscribe((change) => nodeMetrics.observeChange(change, clock.now()));
  const ready = async () => {
    try {
      await store.ping();
      return true;
    } catch {
      return false;
    }
  };
  // The gateway's and forward auth's counters join the node's once those ports exist. Served only on the
  // admin port or the internal metrics listener, never on a public port (security review, finding 7).
  const portMetrics: Array<() => string> = [];
  const ownMetrics = async () =>
    joinExposition([
      await nodeMetrics.text(),
      limiter.metricsText(),
      cluster.metricsText(),
      ...portMetrics.map((text) => text()),
    ]);
  // Under --workers the primary's /metrics adds up every worker's; a worker hands its own to the primary.
  const metrics = part === undefined ? ownMetrics : part.exposition(ownMetrics);

  const closers: Array<() => Promise<void>> = [];
  let adminUrl: string | undefined;
  let gatewayUrl: string | undefined;
  // Built on every role: a gateway-only node serves POST /v1/self/rotate through it.
  const app = await buildAdminApp({
    deps,
    propagation: cluster.propagation,
    liveNodes: () => cluster.liveNodes(),
    verify: (secret, scopes, clientIp) => timedVerifier.verify(secret, scopes, clientIp),
    logger,
    bodyLimitBytes: config.admin.bodyLimitBytes,
    ready,
    metrics,
    staticDir: DASHBOARD_DIST,
    leaks: hasAdmin ? await openLeakIntake(config, logger) : undefined,
    webhooks: webhooks.admin,
    limits: limiter,
    portalUrl: config.portalUrl,
    // The admin port's refused-token throttle sees clients behind the same proxies as the gateway.
    trustedProxies: config.gateway.trustedProxies,
    maxAllowedIps: config.keys.maxAllowedIps,
    selfRotationDisabled: Object.entries(config.plans)
      .filter(([, plan]) => !plan.selfRotation)
      .map(([name]) => name),
    sso: adminSsoOptions(config),
  });
  closers.push(() => app.close());
  if (hasAdmin) {
    await app.listen({ port: config.adminPort, host: config.host });
    adminUrl = urlOf(config.host, app.server.address());
  } else {
    await app.ready();
  }
  if (hasGateway && config.upstream !== undefined) {
    const gateway = createGatewayServer({
      verifier: timedVerifier,
      upstream: config.upstream,
      routes: compileRouteTable(config.routes),
      clock,
      logger,
      usage,
      bodyLimitBytes: config.gateway.bodyLimitBytes,
      upstreamTimeoutMs: config.gateway.upstreamTimeoutMs,
      deprecationLink: config.gateway.deprecationLink,
      trustedProxies: config.gateway.trustedProxies,
      cors: config.gateway.cors,
      requestTimeoutMs: config.gateway.requestTimeoutMs,
      headersTimeoutMs: config.gateway.headersTimeoutMs,
      maxInFlightPerConsumer: config.gateway.maxInFlightPerConsumer,
      ready,
      limiter,
      failureGuard,
      selfRotate: (request) => injectSelfRotate(app, request),
    });
    const { port } = await gateway.listen(config.gatewayPort, config.host);
    gatewayUrl = urlOf(config.host, { port, address: config.host, family: "IPv4" });
    closers.push(() => gateway.close());
    portMetrics.push(() => gateway.metricsText());
  }
  let authzUrl: string | undefined;
  if (hasAuthz) {
    // The gateway's evaluation over the same verifier, limiter, usage and failure guard: a request
    // decided here counts exactly like one through the gateway (docs/forward-auth.md).
    const authz = createAuthzServer({
      verifier: timedVerifier,
      routes: compileRouteTable(config.routes),
      clock,
      logger,
      usage,
      limiter,
      failureGuard,
      deprecationLink: config.gateway.deprecationLink,
      trustedProxies: config.gateway.trustedProxies,
      requestTimeoutMs: config.gateway.requestTimeoutMs,
      headersTimeoutMs: config.gateway.headersTimeoutMs,
      ready,
    });
    const { port } = await authz.listen(config.authzPort, config.host);
    authzUrl = urlOf(config.host, { port, address: config.host, family: "IPv4" });
    closers.push(() => authz.close());
    portMetrics.push(() => authz.metricsText());
  }
  let metricsUrl: string | undefined;
  if (hasMetricsListener) {
    const listener = createMetricsListener({ metrics, logger });
    const { port } = await listener.listen(config.metricsPort, config.metricsHost);
    metricsUrl = urlOf(config.metricsHost, { port, address: config.metricsHost, family: "IPv4" });
    closers.push(() => listener.close());
  }
  let portalUrl: string | undefined;
  if (hasPortal) {
    const portal = await buildPortalApp({
      deps,
      policy: {
        maxKeysPerConsumer: config.portal.maxKeysPerConsumer,
        maxOverlapSeconds: config.portal.maxOverlapSeconds,
        routedScopes: [...new Set(config.routes.flatMap((route) => route.scopes))],
      },
      branding: {
        title: config.portal.title,
        logoUrl: config.portal.logoUrl ?? null,
        accentColor: config.portal.accentColor ?? null,
        supportUrl: config.portal.supportUrl ?? null,
        gatewayUrl: config.portal.gatewayUrl ?? gatewayUrl ?? `http://127.0.0.1:${config.gatewayPort}`,
      },
      portalUrl: config.portalUrl,
      sessionTtlSeconds: config.portal.sessionTtlSeconds,
      loginLinksPerAddressPerHour: config.portal.loginLinksPerAddressPerHour,
      loginLinksPerIpPerHour: config.portal.loginLinksPerIpPerHour,
      templates: mailTemplates,
      limits: limiter,
      maxAllowedIps: config.keys.maxAllowedIps,
      staticDir: PORTAL_DIST,
      logger,
      ready,
    });
    await portal.listen({ port: config.portalPort, host: config.host });
    portalUrl = urlOf(config.host, portal.server.address());
    closers.push(() => portal.close());
  }
  const mail = startMailDelivery({ store, config, clock, random: cryptoRandom, logger, holder });
  const job = startRetirementJob(deps, logger, {
    leases: store,
    holder,
    intervalMs: config.jobs.intervalMs,
    leaseTtlMs: config.jobs.leaseTtlMs,
  });
  // Bounded data: usage roll-ups and webhook-delivery pruning, on one node at a time.
  const retentionJob = startRetentionJob(logger, {
    store,
    leases: store,
    clock,
    holder,
    policy: {
      ...config.usage.retention,
      webhookDays: config.webhooks.retentionDays,
      portalDays: config.mail.retentionDays,
    },
    intervalMs: config.jobs.retentionIntervalMs,
    leaseTtlMs: config.jobs.leaseTtlMs,
  });
  const policyJob = startRotationPolicyJob(deps, logger, {
    leases: store,
    policies: store,
    holder,
    intervalMs: config.jobs.policyIntervalMs,
    leaseTtlMs: config.jobs.leaseTtlMs,
  });
  const alerts = startAlerts(deps, logger, {
    leases: store,
    holder,
    config,
    failureGuard,
    nodeId: config.nodeId ?? holder,
    onAlert: (type) => nodeMetrics.alert(type),
  });
  logger.info(
    {
      role: config.role,
      adminUrl,
      gatewayUrl,
      authzUrl,
      metricsUrl,
      portalUrl,
      store: config.databaseUrl.split(":")[0],
      bus: cluster.mode,
    },
    "keygate node started",
  );

  let closing: Promise<void> | undefined;
  return {
    adminUrl,
    gatewayUrl,
    authzUrl,
    metricsUrl,
    portalUrl,
    generatedAdminToken,
    deps,
    logger,
    close() {
      closing ??= (async () => {
        await Promise.allSettled(closers.map((close) => close()));
        unsubscribeLimits();
        await limiter.close();
        await Promise.all([job.stop(), policyJob.stop(), retentionJob.stop(), alerts.stop()]);
        await webhooks.stop();
        await mail?.stop();
        await usage.close();
        unsubscribeMetrics();
        unsubscribe();
        await bus.close();
        await store.close();
        logger.info("keygate node stopped");
        logger.flush();
      })();
      return closing;
    },
  };
}
