/** The slice of `oidc-provider` (v9, untyped) the SSO tests use to run a real OpenID provider. */
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  export interface ProviderAccount {
    readonly accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown>>;
  }

  export interface ProviderConfiguration {
    readonly clients: readonly Record<string, unknown>[];
    readonly claims?: Record<string, readonly string[]>;
    readonly scopes?: readonly string[];
    readonly findAccount: (ctx: unknown, sub: string) => Promise<ProviderAccount | undefined>;
    readonly features?: Record<string, unknown>;
    readonly pkce?: Record<string, unknown>;
    readonly cookies?: Record<string, unknown>;
    readonly ttl?: Record<string, unknown>;
  }

  // biome-ignore lint/style/noDefaultExport: declares the library's own default export
  export default class Provider {
    constructor(issuer: string, configuration: ProviderConfiguration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
