import { z } from "zod";
import { redisUrlProblem } from "../cluster/redis/redis-target.ts";
import { MAX_TRUSTED_PROXIES, TrustedProxiesError, trustedProxies } from "../http/client-address.ts";
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_SCHEDULE_SECONDS } from "../webhooks/retry-policy.ts";
import { oidcSchema } from "./oidc-schema.ts";

const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.number().int().positive();

/** `gateway.trustedProxies`: every entry an IPv4/IPv6 address or CIDR, each bad one reported. */
const trustedProxiesSchema = z
  .array(z.string())
  .max(MAX_TRUSTED_PROXIES)
  .default([])
  .superRefine((cidrs, ctx) => {
    try {
      trustedProxies(cidrs);
    } catch (error) {
      if (!(error instanceof TrustedProxiesError)) throw error;
      for (const problem of error.problems) {
        ctx.addIssue({ code: "custom", path: [problem.index], message: problem.message });
      }
    }
  });

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "an HTTP header name");

/** `gateway.cors`: the gateway answers preflights and sets CORS on every response from this. */
const gatewayCorsSchema = z
  .object({
    allowedOrigins: z
      .array(z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, "an origin (scheme://host[:port]) or *"))
      .min(1),
    allowedMethods: z
      .array(z.string().regex(/^[A-Z]+$/, "an upper-case HTTP method"))
      .min(1)
      .default(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]),
    allowedHeaders: z
      .array(z.union([z.literal("*"), headerName]))
      .default(["x-api-key", "authorization", "content-type"]),
    exposedHeaders: z.array(headerName).default([]),
    maxAgeSeconds: z.number().int().min(0).max(86_400).default(600),
    // Cookies and client certificates: keygate authenticates by header, so credentials are off unless asked for.
    allowCredentials: z.boolean().default(false),
  })
  .strict()
  .refine(
    (cors) =>
      !cors.allowCredentials || (!cors.allowedOrigins.includes("*") && !cors.allowedHeaders.includes("*")),
    {
      message: "allowCredentials needs explicit origins and headers, not *",
      path: ["allowCredentials"],
    },
  );

/** A route rule: which scopes a method + path needs, and what it costs against quotas. */
export const routeRuleSchema = z
  .object({
    method: z
      .string()
      .regex(/^(\*|[A-Z]+)$/, "an upper-case HTTP method or *")
      .default("*"),
    path: z.string().startsWith("/", "must start with /"),
    scopes: z.array(z.string().min(1)).default([]),
    cost: z.number().int().min(0).max(1_000_000).default(1),
  })
  .strict();

export const planSchema = z
  .object({
    rateLimit: z.object({ limit: positiveInt, windowSeconds: positiveInt }).strict().nullable().optional(),
    quota: z
      .object({ limit: positiveInt, period: z.enum(["day", "month"]) })
      .strict()
      .nullable()
      .optional(),
    // The scopes this plan's consumers may choose for keys they make in the portal; absent: every routed scope.
    scopes: z
      .array(z.string().regex(/^[A-Za-z0-9:._*/-]{1,64}$/))
      .max(64)
      .nullable()
      .optional(),
    // Whether a key of this plan may rotate itself (POST /v1/self/rotate, the SDK's autoRotate); off: 403
    // FORBIDDEN, rotation is the provider's (or the portal's). docs/security.md, security review 1.
    selfRotation: z.boolean().default(true),
  })
  .strict();

/** The consumer portal (`KEYGATE_PORTAL_PORT`); see docs/portal.md. */
export const portalSchema = z
  .object({
    title: z.string().min(1).max(80).default("API keys"),
    // Shown in the portal's header; an https URL (its origin is allowed by the portal's CSP) or a data: URL.
    logoUrl: z
      .string()
      .regex(/^(https:\/\/|data:image\/)/, "an https: or data:image/ URL")
      .max(100_000)
      .optional(),
    accentColor: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, "a #rrggbb colour")
      .optional(),
    supportUrl: z.url({ protocol: /^https?$/ }).optional(),
    // The provider's public gateway URL, for the snippets shown with a new key; default: this node's gateway.
    gatewayUrl: z.url({ protocol: /^https?$/ }).optional(),
    maxKeysPerConsumer: positiveInt.max(1000).default(10),
    maxOverlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(604_800),
    sessionTtlSeconds: positiveInt
      .min(60)
      .max(30 * 86_400)
      .default(43_200),
    // Sign-in link requests (POST /portal/v1/login-links) per address and per client IP, per hour.
    loginLinksPerAddressPerHour: positiveInt.max(1000).default(5),
    loginLinksPerIpPerHour: positiveInt.max(100_000).default(30),
  })
  .strict();

/** Consumer mail (`KEYGATE_SMTP_URL`); see docs/notifications.md. */
export const mailSchema = z
  .object({
    // Delay after the 1st, 2nd, … failed attempt (the last repeats), ±20 % jitter; fractions allowed.
    retryScheduleSeconds: z
      .array(z.number().positive().max(86_400))
      .min(1)
      .max(100)
      .default([10, 60, 300, 1800, 3600]),
    maxAttempts: positiveInt.max(100).default(10),
    timeoutMs: positiveInt.min(100).max(120_000).default(15_000),
    pollIntervalMs: positiveInt.min(10).max(60_000).default(1000),
    // Kinds of consumer mail nobody receives (see docs/notifications.md for the list).
    disabledKinds: z
      .array(
        z.enum([
          "sign_in",
          "key_created",
          "rotation_due",
          "sunset_in_use",
          "expired_in_use",
          "key_revoked",
          "key_leaked",
          "quota_80",
          "quota_100",
        ]),
      )
      .default([]),
    // Finished mail (sent or failed), ended portal sessions and expired sign-in links are deleted after this many days.
    retentionDays: positiveInt.max(36_500).default(30),
    // A folder of Eta templates (`<kind>.subject.eta`, `<kind>.text.eta`, `<kind>.html.eta`, `layout.html.eta`)
    // that replace the built-in ones file by file; see docs/notifications.md.
    templatesDir: z.string().min(1).optional(),
  })
  .strict();

/**
 * Bounded usage data; see docs/operations.md ("Capacity and retention").
 * Per-minute rows older than `minuteDays` are rolled up into hours, hours
 * older than `hourDays` into days, which are kept forever.
 */
export const usageSchema = z
  .object({
    retention: z
      .object({
        minuteDays: positiveInt.max(36_500).default(7),
        hourDays: positiveInt.max(36_500).default(90),
      })
      .strict()
      .refine((r) => r.hourDays >= r.minuteDays, {
        message: "hourDays must be at least minuteDays (hours are made of the minutes rolled up before them)",
        path: ["hourDays"],
      })
      .prefault({}),
  })
  .strict();

/** The optional `KEYGATE_CONFIG` file (JSON or YAML). */
export const fileConfigSchema = z
  .object({
    routes: z.array(routeRuleSchema).default([]),
    plans: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/), planSchema).default({}),
    cache: z
      .object({
        ttlSeconds: z.number().positive().max(3600).default(30),
        negativeTtlSeconds: z.number().positive().max(60).default(2),
        capacity: positiveInt.default(1_000_000),
      })
      .strict()
      .prefault({}),
    gateway: z
      .object({
        bodyLimitBytes: positiveInt.default(10 * 1024 * 1024),
        upstreamTimeoutMs: positiveInt.default(30_000),
        deprecationLink: z.url().default("https://keygate.dev/docs/rotation"),
        // Longest time a client may take to send a whole request (headers and body), and its headers;
        // past them the connection is answered 408 or cut (a slow body no longer holds an upstream connection).
        requestTimeoutMs: positiveInt.min(100).max(3_600_000).default(60_000),
        headersTimeoutMs: positiveInt.min(100).max(600_000).default(10_000),
        // Requests of one consumer forwarded upstream at once; past it 429 RATE_LIMITED with Retry-After: 1.
        maxInFlightPerConsumer: positiveInt.max(1_000_000).default(256),
        // Load balancers / proxies (IPv4/IPv6 addresses or CIDRs) whose X-Forwarded-For and X-Real-IP name
        // the client; see docs/security.md. Default: none, the socket peer is the client.
        trustedProxies: trustedProxiesSchema,
        // CORS for browser consumers; absent: preflights are answered with no CORS headers (docs/security.md).
        cors: gatewayCorsSchema.optional(),
      })
      .strict()
      .prefault({}),
    admin: z
      .object({ bodyLimitBytes: positiveInt.default(64 * 1024) })
      .strict()
      .prefault({}),
    jobs: z
      .object({
        intervalMs: positiveInt.min(100).default(1000),
        // Scheduled jobs run on one node at a time under a lease in the store; a crashed
        // holder's jobs resume on another node after at most this long.
        leaseTtlMs: positiveInt.min(300).max(600_000).default(15_000),
        // How often consumers' rotation policies are applied (keys marked due, due keys expired at sunset).
        policyIntervalMs: positiveInt.min(100).default(5000),
        // How often usage is rolled up and old webhook deliveries pruned (usage.retention, webhooks.retentionDays).
        retentionIntervalMs: positiveInt.min(100).default(60_000),
      })
      .strict()
      .prefault({}),
    /** What a leak report (`POST /v1/leaks`) does to a reported key; see docs/leaks.md. */
    leaks: z
      .object({
        action: z.enum(["revoke", "rotate"]).default("revoke"),
        // A leaked key should not live long: at most an hour, fractions allowed; 0 = emergency rollover.
        overlapSeconds: z.number().min(0).max(3600).default(300),
      })
      .strict()
      .prefault({}),
    /** Alerts and throttling of failed authentications; see docs/analytics.md. */
    alerts: z
      .object({
        // auth.failure_spike: 401s in one minute from one client IP, or with one key hint, above which it is reported (0: off).
        failureSpikePerMinute: z.number().int().min(0).default(100),
        // Past this many 401s for missing, malformed or unknown keys in one minute from one client IP, its requests are answered 429 until the minute ends (0: off).
        throttleFailuresPerMinute: z.number().int().min(0).default(300),
        // One auth.failure_spike per client IP or key hint per this long, across nodes.
        failureSpikeCooldownSeconds: z.number().positive().max(86_400).default(600),
        // key.deprecated_in_use at most once per old key per this long.
        deprecatedInUseIntervalSeconds: z.number().positive().max(86_400).default(3600),
        // Client IPs (and key hints) counted per minute on each node; the oldest is forgotten past it.
        trackedClients: positiveInt.max(1_000_000).default(10_000),
      })
      .strict()
      .prefault({}),
    /** Webhook delivery; see docs/webhooks.md. */
    /** Per-key settings. */
    keys: z
      .object({
        // The longest IP allowlist a key may carry (admin API, CLI, dashboard, portal).
        maxAllowedIps: positiveInt.max(1000).default(100),
      })
      .strict()
      .prefault({}),
    portal: portalSchema.prefault({}),
    /** Single sign-on for the dashboard; docs/security.md, "Single sign-on". */
    oidc: oidcSchema.prefault({}),
    usage: usageSchema.prefault({}),
    mail: mailSchema.prefault({}),
    webhooks: z
      .object({
        // Loopback, private, link-local and reserved addresses are refused unless this is true.
        allowPrivateNetworks: z.boolean().default(false),
        // Delay after the 1st, 2nd, … failed attempt (the last repeats), ±20 % jitter; fractions allowed.
        retryScheduleSeconds: z
          .array(z.number().positive().max(86_400))
          .min(1)
          .max(100)
          .default([...DEFAULT_RETRY_SCHEDULE_SECONDS]),
        maxAttempts: positiveInt.max(1000).default(DEFAULT_MAX_ATTEMPTS),
        timeoutMs: positiveInt.min(100).max(60_000).default(10_000),
        pollIntervalMs: positiveInt.min(10).max(60_000).default(1000),
        concurrency: positiveInt.max(64).default(8),
        // Delivered and failed deliveries (with their attempt log) are deleted this long after their last attempt.
        retentionDays: positiveInt.max(36_500).default(30),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** Environment variables keygate reads. Anything else in the environment is ignored. */
export const envSchema = z.object({
  KEYGATE_ADMIN_PORT: port.default(7070),
  KEYGATE_PORTAL_PORT: port.default(7071),
  /** The portal's public URL, for links in mail and hand-off links; https makes its cookie `Secure`. */
  KEYGATE_PORTAL_URL: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:7071"),
  /** `smtp://user:pass@host:port` or `smtps://…`; without it nothing is mailed. Never logged. */
  KEYGATE_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, "smtp://user:pass@host:port or smtps://…")
    .optional(),
  KEYGATE_MAIL_FROM: z.string().min(3).max(254).optional(),
  KEYGATE_GATEWAY_PORT: port.default(8080),
  /** Forward auth (roles all, gateway, authz): for the provider's proxy only; docs/forward-auth.md. */
  KEYGATE_AUTHZ_PORT: port.default(8081),
  /** Internal `/metrics` listener of nodes without an admin port (roles gateway, authz); docs/operations.md. */
  KEYGATE_METRICS_PORT: port.default(9464),
  KEYGATE_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  KEYGATE_HOST: z.string().min(1).default("127.0.0.1"),
  KEYGATE_UPSTREAM: z.url({ protocol: /^https?$/ }).optional(),
  KEYGATE_DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/|memory:)/, "sqlite:<path>, postgres://… or memory:")
    .default("sqlite:./data/keygate.db"),
  /** One primary (`redis://`), Redis Cluster (`redis+cluster://h1:p1,h2:p2`) or Sentinel (`redis+sentinel://s1:p1,s2:p2/<master>`); docs/operations.md. */
  KEYGATE_REDIS_URL: z
    .string()
    .superRefine((url, ctx) => {
      const problem = redisUrlProblem(url);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional(),
  /** Namespace of every Redis key and channel, so several keygate clusters (or test runs) share one Redis. */
  KEYGATE_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, "letters, digits and :_.- (at most 64)")
    .default("keygate:"),
  // An admin credential: as long as the ones keygate issues ask for (docs/security.md, "Operator access").
  KEYGATE_ADMIN_TOKEN: z.string().min(32, "must be at least 32 characters").optional(),
  KEYGATE_CONFIG: z.string().min(1).optional(),
  /** Path of a JSON file shaped like GitHub's secret-scanning public-keys document; enables `POST /v1/leaks`. */
  KEYGATE_LEAK_PUBLIC_KEYS: z.string().min(1).optional(),
  /** OpenID Connect issuer for dashboard sign-in (https; http only on loopback, for tests). Unset: no SSO. */
  KEYGATE_OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  KEYGATE_OIDC_CLIENT_ID: z.string().min(1).max(512).optional(),
  /** The dashboard client's secret at the provider; also keys the sign-in state cookie's HMAC. Never logged. */
  KEYGATE_OIDC_CLIENT_SECRET: z.string().min(1).max(2048).optional(),
  KEYGATE_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  KEYGATE_NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
  /** Processes sharing the gateway and forward-auth ports (`keygate start --workers`); `auto`: one per core. docs/operations.md, "Workers". */
  KEYGATE_WORKERS: z
    .string()
    .regex(/^(auto|[1-9][0-9]{0,2})$/, "a whole number from 1 to 999, or auto")
    .default("1"),
});

export type FileConfig = z.infer<typeof fileConfigSchema>;
export type EnvConfig = z.infer<typeof envSchema>;
export type RouteRuleConfig = z.infer<typeof routeRuleSchema>;
export type PlanConfig = z.infer<typeof planSchema>;
