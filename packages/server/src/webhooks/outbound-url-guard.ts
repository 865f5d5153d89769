import type { LookupAddress, LookupOptions } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { KeygateError } from "@keygate/core";
import { isPrivateAddress } from "./private-address.ts";

/** Resolves a host name to every address it has (`dns.lookup` with `all: true` in production). */
export type Resolve = (hostname: string) => Promise<readonly LookupAddress[]>;

export interface OutboundUrlGuardOptions {
  /** `webhooks.allowPrivateNetworks`: lets webhooks reach loopback and private ranges (tests, on-prem receivers). */
  readonly allowPrivateNetworks: boolean;
  /** Default: the system resolver. */
  readonly resolve?: Resolve;
}

const systemResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Longest webhook URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

function refuse(message: string): KeygateError {
  return new KeygateError("VALIDATION_FAILED", `webhook url refused: ${message}`, [
    { path: "/body/url", message },
  ]);
}

/** `[::1]` → `::1`: URL keeps IPv6 literals bracketed. */
function bareHost(url: URL): string {
  return url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * Keeps webhooks away from internal networks (SSRF): checks a URL's shape
 * and every address its host resolves to at registration, and again at
 * connect time through `lookup`, so a name re-pointed at a private address
 * after registration (DNS rebinding) is refused before any byte is sent.
 */
export class OutboundUrlGuard {
  readonly allowPrivateNetworks: boolean;
  readonly #resolve: Resolve;

  constructor(options: OutboundUrlGuardOptions) {
    this.allowPrivateNetworks = options.allowPrivateNetworks;
    this.#resolve = options.resolve ?? systemResolve;
  }

  /** Shape rules that need no DNS: http(s), no credentials, no private IP literal. Returns the parsed URL. */
  checkShape(raw: string): URL {
    if (raw.length > MAX_WEBHOOK_URL_LENGTH) throw refuse(`longer than ${MAX_WEBHOOK_URL_LENGTH} characters`);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw refuse("not an absolute URL");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw refuse("scheme must be https or http");
    if (url.username !== "" || url.password !== "") throw refuse("credentials in the URL are not allowed");
    const host = bareHost(url);
    if (host === "") throw refuse("no host");
    if (isIP(host) !== 0) this.#checkAddress(host);
    return url;
  }

  /** Full check at registration: shape, then every resolved address. */
  async check(raw: string): Promise<URL> {
    const url = this.checkShape(raw);
    const host = bareHost(url);
    if (isIP(host) !== 0 || this.allowPrivateNetworks) return url;
    let addresses: readonly LookupAddress[];
    try {
      addresses = await this.#resolve(host);
    } catch {
      throw refuse(`host ${host} does not resolve`);
    }
    if (addresses.length === 0) throw refuse(`host ${host} does not resolve`);
    for (const { address } of addresses) this.#checkAddress(address);
    return url;
  }

  /**
   * A `net.connect` lookup (undici `connect.lookup`) that resolves through
   * the guard and fails the connection if any address is refused.
   */
  readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    this.#resolve(hostname).then(
      (addresses) => {
        try {
          if (addresses.length === 0) throw refuse(`host ${hostname} does not resolve`);
          for (const { address } of addresses) this.#checkAddress(address);
        } catch (error) {
          callback(error as NodeJS.ErrnoException, "");
          return;
        }
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = family === 0 ? addresses : addresses.filter((a) => a.family === family);
        const first = usable[0];
        if (options.all === true) callback(null, [...usable]);
        else if (first === undefined) callback(refuse(`host ${hostname} has no IPv${family} address`), "");
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ""),
    );
  };

  #checkAddress(address: string): void {
    if (!this.allowPrivateNetworks && isPrivateAddress(address)) {
      throw refuse(
        `resolves to ${address}, a loopback, private, link-local or reserved address (set webhooks.allowPrivateNetworks to allow)`,
      );
    }
  }
}
