import { ProblemMessage } from "../../components/problem-message.tsx";
import type { Branding, Me } from "../api/portal-types.ts";
import { type PortalRoute, portalHref } from "../lib/portal-routes.ts";
import type { SignOut } from "../session/use-sign-out.ts";
import { BrandMark } from "./brand-mark.tsx";
import { PortalLink } from "./portal-link.tsx";

const LINKS = [
  { label: "Keys", to: portalHref.keys(), pages: ["keys", "key", "rotation"] },
  { label: "Usage", to: portalHref.usage(), pages: ["usage"] },
] as const;

export interface PortalHeaderProps {
  readonly branding: Branding;
  readonly me: Me;
  readonly route: PortalRoute;
  readonly signOut: SignOut;
}

/** The provider's brand, the two sections, who is signed in, their settings, support and sign-out. */
export function PortalHeader({ branding, me, route, signOut }: PortalHeaderProps) {
  const supportUrl = me.portal.supportUrl ?? branding.supportUrl;
  return (
    <header className="portal-header">
      <div className="portal-bar">
        {/* Not a link: "Keys" in the navigation is the way home, and the only link named like it. */}
        <div className="portal-brand">
          <BrandMark branding={branding} size={32} />
        </div>
        <nav aria-label="Main" className="portal-nav">
          <ul>
            {LINKS.map((link) => (
              <li key={link.to}>
                <PortalLink
                  to={link.to}
                  aria-current={(link.pages as readonly string[]).includes(route.page) ? "page" : undefined}
                >
                  {link.label}
                </PortalLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="portal-account">
          <p className="portal-user">
            <span className="visually-hidden">Signed in as </span>
            <span className="portal-user-name">{me.consumer.name}</span>
            {me.consumer.email === null ? null : (
              <span className="portal-user-email">{me.consumer.email}</span>
            )}
          </p>
          <PortalLink
            to={portalHref.account()}
            className="portal-settings"
            aria-current={route.page === "account" ? "page" : undefined}
          >
            Settings
          </PortalLink>
          {supportUrl === null ? null : (
            <a className="portal-support" href={supportUrl} target="_blank" rel="noopener noreferrer">
              Support
            </a>
          )}
          <button
            type="button"
            className="button secondary small"
            disabled={signOut.busy}
            onClick={() => void signOut.run()}
          >
            Sign out
          </button>
        </div>
      </div>
      {signOut.error === undefined ? null : (
        <div className="portal-bar-problem">
          <ProblemMessage error={signOut.error} context="Not signed out" />
        </div>
      )}
    </header>
  );
}
