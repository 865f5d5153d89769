import type { Route } from "../lib/routes.ts";
import { href } from "../lib/routes.ts";

const LINKS = [
  { label: "Overview", to: href.overview(), pages: ["overview", "rotation"] },
  { label: "Consumers", to: href.consumers(), pages: ["consumers", "consumer"] },
  { label: "Audit log", to: href.audit(), pages: ["audit"] },
  { label: "Webhooks", to: href.webhooks(), pages: ["webhooks"] },
  { label: "Plans", to: href.plans(), pages: ["plans"] },
  // Only an admin may list admin tokens: hidden from other roles (styles.css, data-needs).
  { label: "Admin tokens", to: href.adminTokens(), pages: ["admin-tokens"], needs: "admin" },
] as const;

export interface NavBarProps {
  readonly route: Route;
  readonly onLogout: () => void;
}

export function NavBar({ route, onLogout }: NavBarProps) {
  return (
    <nav className="nav" aria-label="Main">
      <a className="brand" href={href.overview()}>
        <img src="/favicon.svg" alt="" width="28" height="28" />
        <span>keygate</span>
      </a>
      <ul className="nav-links">
        {LINKS.map((link) => {
          const current = (link.pages as readonly string[]).includes(route.page);
          return (
            <li key={link.to} data-needs={"needs" in link ? link.needs : undefined}>
              <a href={link.to} aria-current={current ? "page" : undefined}>
                {link.label}
              </a>
            </li>
          );
        })}
      </ul>
      <button type="button" className="button nav-logout" onClick={onLogout}>
        Sign out
      </button>
    </nav>
  );
}
