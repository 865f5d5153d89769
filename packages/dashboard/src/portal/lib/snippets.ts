/** Ready-to-paste calls of the provider's gateway with a new key, one per language. */
export interface Snippet {
  readonly id: "curl" | "python" | "javascript" | "client";
  readonly label: string;
  readonly code: string;
}

/** A route of the demo market-data API; any route of the provider's API is called the same way. */
const PATH = "/v2/daily-ohlcv";
const QUERY = "symbol=ETH";

export function gatewaySnippets(gatewayUrl: string, secret: string): readonly Snippet[] {
  const base = gatewayUrl.replace(/\/+$/, "");
  // JSON.stringify gives a valid string literal in Python and JavaScript alike.
  const url = JSON.stringify(`${base}${PATH}?${QUERY}`);
  const key = JSON.stringify(secret);
  return [
    {
      id: "curl",
      label: "curl",
      code: `curl -H 'x-api-key: ${secret}' \\\n  '${base}${PATH}?${QUERY}'`,
    },
    {
      id: "python",
      label: "Python",
      code: [
        "import requests",
        "",
        "response = requests.get(",
        `    ${JSON.stringify(`${base}${PATH}`)},`,
        `    params={"symbol": "ETH"},`,
        `    headers={"x-api-key": ${key}},`,
        "    timeout=10,",
        ")",
        "response.raise_for_status()",
        "print(response.json())",
      ].join("\n"),
    },
    {
      id: "javascript",
      label: "JavaScript",
      code: [
        `const response = await fetch(${url}, {`,
        `  headers: { "x-api-key": ${key} },`,
        "});",
        'if (!response.ok) throw new Error("HTTP " + response.status);',
        "console.log(await response.json());",
      ].join("\n"),
    },
    {
      id: "client",
      label: "@keygate/client",
      code: [
        `import { KeygateClient, memoryKeyStore } from "@keygate/client";`,
        "",
        "// The client rotates the key by itself when it is deprecated. To keep a rotated key",
        '// across restarts, use fileKeyStore("./.keygate/key") from "@keygate/client/node".',
        "const client = new KeygateClient({",
        `  baseUrl: ${JSON.stringify(base)},`,
        `  store: memoryKeyStore(${key}),`,
        "  autoRotate: true,",
        "});",
        `const response = await client.fetch(${JSON.stringify(`${PATH}?${QUERY}`)});`,
        "console.log(await response.json());",
      ].join("\n"),
    },
  ];
}
