import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { errorCatalogue } from "@keygate/core";
import { describe, expect, it } from "vitest";

const DOC = fileURLToPath(new URL("../../../../docs/errors.md", import.meta.url));

interface DocRow {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly when: string;
  readonly action: string;
}

/** The rows of the catalogue table: `| \`CODE\` | status | title | when | what to do |`. */
function parseCatalogue(markdown: string): DocRow[] {
  const section = markdown.split(/^## Catalogue$/m)[1];
  if (section === undefined) throw new Error("docs/errors.md has no '## Catalogue' section");
  return section
    .split("\n")
    .filter((line) => /^\|\s*`/.test(line))
    .map((line) => {
      const cells = line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim());
      const [code = "", status = "", title = "", when = "", action = ""] = cells;
      return { code: code.replaceAll("`", ""), status: Number(status), title, when, action };
    });
}

describe("docs/errors.md matches the error catalogue", () => {
  const rows = parseCatalogue(readFileSync(DOC, "utf8"));
  const codes = Object.keys(errorCatalogue);

  it("lists every catalogue code exactly once, and no other code", () => {
    const documented = rows.map((r) => r.code);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...codes].sort());
  });

  it("gives each code its catalogue status and title, when it happens and what to do", () => {
    for (const row of rows) {
      const entry = errorCatalogue[row.code as keyof typeof errorCatalogue];
      expect(row.status, row.code).toBe(entry.status);
      expect(row.title, row.code).toBe(entry.title);
      expect(row.when.length, `${row.code}: when`).toBeGreaterThan(10);
      expect(row.action.length, `${row.code}: what to do`).toBeGreaterThan(10);
    }
  });

  it("the parser sees a removed or invented row (so this test can fail)", () => {
    const markdown = readFileSync(DOC, "utf8");
    const without = parseCatalogue(markdown.replace(/^\| `CONFLICT`.*$/m, "")).map((r) => r.code);
    expect(without).not.toContain("CONFLICT");
    const invented = parseCatalogue(`${markdown}\n| \`KEY_STOLEN\` | 401 | x | y | z |\n`).map((r) => r.code);
    expect(invented).toContain("KEY_STOLEN");
  });
});
