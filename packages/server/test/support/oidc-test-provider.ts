import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Provider from "oidc-provider";

/** A person the test provider knows: signing in with `login` (any password) yields these claims. */
export interface TestPerson {
  readonly login: string;
  readonly email: string;
  readonly groups: readonly string[];
  readonly emailVerified?: boolean;
}

/** A real OpenID provider (`oidc-provider`) on a loopback port, with one confidential client. */
export interface TestOidcProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  close(): Promise<void>;
}

/** A provider whose address is known before it serves: keygate can be started with its issuer first. */
export interface ReservedOidcProvider extends TestOidcProvider {
  /** Starts serving with a client for `redirectUrls` and these people. */
  serve(redirectUrls: readonly string[], people: readonly TestPerson[]): void;
}

/**
 * Starts `oidc-provider` on a free loopback port: a client for `redirectUrl`
 * (authorization code, PKCE required, `client_secret_basic`), `email` and
 * `groups` claims (scopes of the same names), and its development login
 * and consent forms (any password is accepted for a known login).
 */
export async function startTestOidcProvider(
  redirectUrls: readonly string[],
  people: readonly TestPerson[],
): Promise<TestOidcProvider> {
  const reserved = await reserveTestOidcProvider();
  reserved.serve(redirectUrls, people);
  return reserved;
}

/** Binds the provider's port and answers 503 until `serve` is called. */
export async function reserveTestOidcProvider(): Promise<ReservedOidcProvider> {
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  const issuer = `http://127.0.0.1:${address.port}`;
  const clientId = "keygate-dashboard";
  const clientSecret = randomBytes(24).toString("hex");
  const serve = (redirectUrls: readonly string[], people: readonly TestPerson[]) => {
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: [...redirectUrls],
          grant_types: ["authorization_code"],
          response_types: ["code"],
          token_endpoint_auth_method: "client_secret_basic",
        },
      ],
      claims: { openid: ["sub"], email: ["email", "email_verified"], groups: ["groups"] },
      scopes: ["openid", "email", "groups"],
      async findAccount(_ctx, sub) {
        const person = people.find((p) => p.login === sub);
        if (person === undefined) return undefined;
        return {
          accountId: sub,
          claims: async () => ({
            sub,
            email: person.email,
            email_verified: person.emailVerified ?? true,
            groups: [...person.groups],
          }),
        };
      },
      features: { devInteractions: { enabled: true } },
      pkce: { required: () => true },
      cookies: { keys: [randomBytes(16).toString("hex")] },
    });
    handle = provider.callback();
  };
  return {
    issuer,
    clientId,
    clientSecret,
    serve,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
