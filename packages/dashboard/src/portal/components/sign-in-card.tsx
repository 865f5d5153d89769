import type { ReactNode } from "react";
import type { Branding } from "../api/portal-types.ts";
import { BrandMark } from "./brand-mark.tsx";

export interface SignInCardProps {
  readonly branding: Branding;
  readonly children: ReactNode;
}

/** The centred card of the pages shown before sign-in, under the provider's brand. */
export function SignInCard({ branding, children }: SignInCardProps) {
  return (
    <main className="login portal-login">
      <div className="login-card">
        <div className="login-brand">
          <BrandMark branding={branding} size={40} as="h1" />
        </div>
        {children}
        {branding.supportUrl === null ? null : (
          <p className="login-support">
            Trouble signing in?{" "}
            <a href={branding.supportUrl} target="_blank" rel="noopener noreferrer">
              Contact support
            </a>
          </p>
        )}
      </div>
    </main>
  );
}
