import { useEffect, useState } from "react";
import { createPortalClient } from "../api/portal-client.ts";
import type { Branding } from "../api/portal-types.ts";
import { applyAccentColor } from "./accent-color.ts";

/** Until the server answers (or if it cannot), the portal is plainly titled. */
export const DEFAULT_BRANDING: Branding = {
  title: "API keys",
  logoUrl: null,
  accentColor: null,
  supportUrl: null,
  mailSignIn: true,
};

const RETRY_MS = 5_000;

/** The provider's branding (no session needed), applied to the whole page once it arrives. */
export function useBranding(): { readonly branding: Branding; readonly loaded: boolean } {
  const [branding, setBranding] = useState<Branding | undefined>();
  useEffect(() => {
    const controller = new AbortController();
    let timer: number | undefined;
    const load = async () => {
      try {
        const answer = await createPortalClient().get<Branding>("/branding", {}, controller.signal);
        if (!controller.signal.aborted) setBranding(answer);
      } catch {
        if (!controller.signal.aborted) timer = window.setTimeout(() => void load(), RETRY_MS);
      }
    };
    void load();
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, []);
  useEffect(() => applyAccentColor(branding?.accentColor ?? null), [branding?.accentColor]);
  return { branding: branding ?? DEFAULT_BRANDING, loaded: branding !== undefined };
}
