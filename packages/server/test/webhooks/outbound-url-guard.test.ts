import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import { OutboundUrlGuard, type Resolve } from "../../src/webhooks/outbound-url-guard.ts";

const resolver =
  (table: Record<string, string[]>): Resolve =>
  async (host) => {
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

function lookup(guard: OutboundUrlGuard, host: string, all: boolean) {
  return new Promise<{ error: Error | null; address: string | LookupAddress[] }>((resolve) => {
    guard.lookup(host, { all }, (error, address) => resolve({ error, address }));
  });
}

describe("OutboundUrlGuard", () => {
  const strict = new OutboundUrlGuard({
    allowPrivateNetworks: false,
    resolve: resolver({
      "hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"],
      "mixed.example.com": ["93.184.216.34", "10.1.2.3"],
      "metadata.example.com": ["169.254.169.254"],
    }),
  });

  it("accepts a public host, and keeps the URL normalized", async () => {
    expect((await strict.check("https://hooks.example.com/a?b=1")).href).toBe(
      "https://hooks.example.com/a?b=1",
    );
    expect((await strict.check("http://93.184.216.34:8080/")).port).toBe("8080");
  });

  it("refuses a host when ANY of its addresses is private, and a host that does not resolve", async () => {
    await expect(strict.check("https://mixed.example.com/")).rejects.toThrow(/10\.1\.2\.3/);
    await expect(strict.check("https://metadata.example.com/")).rejects.toThrow(/169\.254\.169\.254/);
    await expect(strict.check("https://nowhere.example.com/")).rejects.toThrow(/does not resolve/);
  });

  it("checks literals without resolving anything", async () => {
    const counting = { calls: 0 };
    const guard = new OutboundUrlGuard({
      allowPrivateNetworks: false,
      resolve: async () => {
        counting.calls++;
        return [];
      },
    });
    for (const url of ["http://10.0.0.1/", "http://127.0.0.1/", "http://[::1]/", "http://169.254.169.254/"]) {
      expect(() => guard.checkShape(url)).toThrow(/webhook url refused/);
      await expect(guard.check(url)).rejects.toThrow(/webhook url refused/);
    }
    expect(counting.calls).toBe(0);
  });

  it("allows private networks only when configured, never other schemes or credentials", async () => {
    const open = new OutboundUrlGuard({ allowPrivateNetworks: true });
    expect((await open.check("http://127.0.0.1:9/x")).hostname).toBe("127.0.0.1");
    expect((await open.check("http://[::1]:9/x")).hostname).toBe("[::1]");
    await expect(open.check("file:///etc/passwd")).rejects.toThrow(/https or http/);
    await expect(open.check("http://a:b@127.0.0.1/")).rejects.toThrow(/credentials/);
    await expect(open.check(`http://127.0.0.1/${"a".repeat(2100)}`)).rejects.toThrow(/longer than/);
  });

  it("fails a connection's lookup for a private answer, and answers public ones in the form net asks for", async () => {
    const refused = await lookup(strict, "mixed.example.com", false);
    expect(refused.error?.message).toMatch(/10\.1\.2\.3/);
    const one = await lookup(strict, "hooks.example.com", false);
    expect(one).toEqual({ error: null, address: "93.184.216.34" });
    const all = await lookup(strict, "hooks.example.com", true);
    expect(all.address).toHaveLength(2);
    expect((await lookup(strict, "nowhere.example.com", false)).error?.message).toMatch(/ENOTFOUND/);
  });
});
