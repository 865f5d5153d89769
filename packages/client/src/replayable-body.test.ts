import { describe, expect, it } from "vitest";
import { isReplayableBody, isReplayableRequest } from "./replayable-body.ts";

describe("isReplayableBody", () => {
  it("accepts bodies fetch re-serializes on every send", () => {
    const form = new FormData();
    form.set("a", "b");
    for (const body of [
      undefined,
      null,
      "text",
      new ArrayBuffer(4),
      new Uint8Array(4),
      new DataView(new ArrayBuffer(2)),
      new URLSearchParams("a=b"),
      new Blob(["x"]),
      form,
    ]) {
      expect(isReplayableBody(body)).toBe(true);
    }
  });

  it("refuses streams and anything unknown", () => {
    const stream = new ReadableStream();
    const iterable = (async function* () {
      yield new Uint8Array(1);
    })();
    expect(isReplayableBody(stream)).toBe(false);
    expect(isReplayableBody(iterable)).toBe(false);
    expect(isReplayableBody({})).toBe(false);
  });

  it("looks at a Request input when init has no body", () => {
    expect(isReplayableRequest(new Request("http://h/", { method: "GET" }), undefined)).toBe(true);
    expect(isReplayableRequest(new Request("http://h/", { method: "POST", body: "x" }), undefined)).toBe(
      false,
    );
    expect(isReplayableRequest(new Request("http://h/", { method: "POST", body: "x" }), { body: "y" })).toBe(
      true,
    );
    expect(isReplayableRequest("/p", { method: "POST", body: new ReadableStream() })).toBe(false);
  });
});
