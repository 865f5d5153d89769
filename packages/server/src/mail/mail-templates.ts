import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { MailKind } from "@keygate/core";
import { Eta } from "eta";

/** The built-in templates, beside this module. */
const BUILT_IN_DIR = fileURLToPath(new URL("./templates", import.meta.url));

/** The provider's look, in every mail. */
export interface MailBrand {
  readonly title: string;
  /** #rrggbb, validated by the config schema (it lands in a style attribute). */
  readonly accentColor: string;
  readonly supportUrl: string | null;
  readonly portalUrl: string;
}

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * Renders consumer mail from Eta templates: `<kind>.subject.eta`,
 * `<kind>.text.eta` and `<kind>.html.eta`, the HTML inside
 * `layout.html.eta`. A provider's `mail.templatesDir` replaces them file by
 * file. HTML output escapes every value (`<%= %>`); text and subjects do not
 * (they are not HTML), and subjects lose line breaks (a header must not).
 * Templates are read once, at construction: a missing or broken one stops
 * the start, not a mail.
 */
export class MailTemplates {
  readonly #html = new Eta({ autoEscape: true, autoTrim: false });
  readonly #plain = new Eta({ autoEscape: false, autoTrim: false });
  readonly #sources = new Map<string, string>();
  readonly #brand: MailBrand;

  constructor(options: { brand: MailBrand; overridesDir?: string | undefined; kinds: readonly MailKind[] }) {
    this.#brand = options.brand;
    const names = [
      "layout.html",
      ...options.kinds.flatMap((k) => [`${k}.subject`, `${k}.text`, `${k}.html`]),
    ];
    for (const name of names) this.#sources.set(name, this.#read(name, options.overridesDir));
    // Render each once with empty data: syntax errors surface now.
    for (const [name, source] of this.#sources) {
      try {
        (name.endsWith(".html") ? this.#html : this.#plain).compile(source);
      } catch (error) {
        throw new Error(`mail template ${name}.eta does not compile: ${(error as Error).message}`);
      }
    }
  }

  #read(name: string, overridesDir: string | undefined): string {
    if (overridesDir !== undefined) {
      try {
        return readFileSync(join(overridesDir, `${name}.eta`), "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    return readFileSync(join(BUILT_IN_DIR, `${name}.eta`), "utf8");
  }

  #source(name: string): string {
    const source = this.#sources.get(name);
    if (source === undefined) throw new Error(`no mail template ${name}`);
    return source;
  }

  /** Renders one kind with `data` (plus `brand`), never throwing for a value a template does not use. */
  render(kind: MailKind, data: Record<string, unknown>): RenderedMail {
    const it = { ...data, brand: this.#brand };
    const subject = this.#plain
      .renderString(this.#source(`${kind}.subject`), it)
      .replace(/\s+/g, " ")
      .trim();
    const body = this.#html.renderString(this.#source(`${kind}.html`), it);
    return {
      subject,
      text: this.#plain.renderString(this.#source(`${kind}.text`), it),
      html: this.#html.renderString(this.#source("layout.html"), { ...it, subject, body }),
    };
  }
}
