/** What the e2e tests of a cluster ask its nodes over HTTP, as clients and operators would. */

/** `propagation` of a mutating admin answer. */
export interface Propagation {
  changeId: string;
  nodes: number;
  acknowledged: number;
}

/** A gateway's answer to a market-data request with `secret`: "OK", or "<status> <problem code>". */
export async function gatewayAnswer(gatewayUrl: string | undefined, secret: string): Promise<string> {
  const res = await fetch(`${gatewayUrl}/v2/trader-grades?symbol=ETH`, { headers: { "x-api-key": secret } });
  const text = await res.text();
  return res.status === 200 ? "OK" : `${res.status} ${(JSON.parse(text) as { code?: string }).code}`;
}

/** The value of an unlabelled metric from `<baseUrl>/metrics` (admin port or internal metrics listener); NaN if absent. */
export async function metricValue(baseUrl: string | undefined, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1] ?? Number.NaN);
}
