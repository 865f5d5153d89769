import { describe, expect, it } from "vitest";
import { mailKindText, optionalMailKinds } from "./mail-kinds.ts";
import { parsePortalPath, portalHref } from "./portal-routes.ts";

describe("optional mail kinds", () => {
  it("lists the server's kinds, known ones in reading order, unknown ones after by name", () => {
    const kinds = optionalMailKinds({ quota_100: true, zebra: false, rotation_due: false, quota_80: true });
    expect(kinds).toEqual(["rotation_due", "quota_80", "quota_100", "zebra"]);
    expect(optionalMailKinds({})).toEqual([]);
  });

  it("names a kind this build has no words for by its own name", () => {
    expect(mailKindText("quota_80").label).toBe("Quota at 80 %");
    expect(mailKindText("new_kind")).toEqual({ label: "new kind", hint: "" });
  });

  it("has a settings page at /account", () => {
    expect(parsePortalPath(portalHref.account())).toEqual({ page: "account" });
    expect(parsePortalPath("/account/")).toEqual({ page: "account" });
    expect(parsePortalPath("/account/x")).toEqual({ page: "not-found", path: "/account/x" });
  });
});
