import { connect, type Socket } from "node:net";

/** One parsed HTTP/1.1 response read off a raw socket. */
export interface RawResponse {
  readonly status: number;
  /** Lower-cased names; repeated fields joined with ", ". */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Opens a TCP connection to `url`'s host and port (loopback in tests). */
export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/**
 * Parses every complete response in `data` (content-length or chunked
 * bodies; a 1xx has none). Returns the responses and the unparsed rest.
 */
export function parseResponses(data: string): { responses: RawResponse[]; rest: string } {
  const responses: RawResponse[] = [];
  let rest = data;
  for (;;) {
    const headEnd = rest.indexOf("\r\n\r\n");
    if (headEnd === -1) break;
    const [statusLine = "", ...lines] = rest.slice(0, headEnd).split("\r\n");
    const status = Number(statusLine.split(" ")[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    let cursor = headEnd + 4;
    let body = "";
    if (status >= 100 && status < 200) {
      // interim: no body
    } else if (headers["transfer-encoding"]?.includes("chunked")) {
      let complete = false;
      for (;;) {
        const sizeEnd = rest.indexOf("\r\n", cursor);
        if (sizeEnd === -1) break;
        const size = Number.parseInt(rest.slice(cursor, sizeEnd), 16);
        if (rest.length < sizeEnd + 2 + size + 2) break;
        body += rest.slice(sizeEnd + 2, sizeEnd + 2 + size);
        cursor = sizeEnd + 2 + size + 2;
        if (size === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) break;
    } else {
      const length = Number(headers["content-length"] ?? 0);
      if (rest.length < cursor + length) break;
      body = rest.slice(cursor, cursor + length);
      cursor += length;
    }
    responses.push({ status, headers, body });
    rest = rest.slice(cursor);
  }
  return { responses, rest };
}

/**
 * Writes `request` (raw bytes, exactly as given) on a new connection and
 * resolves once `count` responses (default 1) have been read, or the server
 * closed the connection, or `timeoutMs` passed; the socket is then closed.
 */
export async function rawExchange(
  url: string,
  request: string | Buffer,
  options: { count?: number; timeoutMs?: number } = {},
): Promise<{ responses: RawResponse[]; closedByServer: boolean }> {
  const count = options.count ?? 1;
  const socket = await openSocket(url);
  socket.setEncoding("latin1");
  return new Promise((resolve) => {
    let data = "";
    let closedByServer = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ responses: parseResponses(data).responses, closedByServer });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 3_000);
    socket.on("data", (chunk: string) => {
      data += chunk;
      if (parseResponses(data).responses.filter((r) => r.status >= 200).length >= count) finish();
    });
    socket.on("end", () => {
      closedByServer = true;
      finish();
    });
    socket.on("error", finish);
    socket.write(request);
  });
}

/** A GET/POST request's raw bytes with the given target and headers (and `content-length: 0` for POST). */
export function rawRequest(
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body = "",
): string {
  const lines = [`${method} ${target} HTTP/1.1`, "host: 127.0.0.1"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== "" || method === "POST") lines.push(`content-length: ${Buffer.byteLength(body)}`);
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}
