/** Operator access as the admin API answers it (`/v1/me`, `/v1/admin-tokens`). */
export type AdminRole = "viewer" | "operator" | "admin" | "verifier";

export interface MeView {
  readonly actor: { readonly type: "admin"; readonly id: string; readonly name?: string };
  readonly role: AdminRole;
  /** Signed in by SSO only: sent back as `x-keygate-csrf` on every change. */
  readonly csrfToken?: string;
}

/** `GET /auth/sso`: whether the login page offers single sign-on. */
export interface SsoStatus {
  readonly enabled: boolean;
  readonly loginUrl?: string;
}

export interface AdminTokenView {
  readonly id: string;
  readonly name: string;
  readonly role: AdminRole;
  readonly status: "active" | "expired" | "revoked";
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly createdBy: string | null;
  readonly revokedAt: string | null;
}

export interface CreatedAdminToken {
  readonly token: AdminTokenView;
  readonly secret: string;
}

export const ROLE_DESCRIPTIONS: Readonly<Record<AdminRole, string>> = {
  viewer: "Viewer — reads everything, changes nothing",
  operator: "Operator — consumers, keys, rotations, webhooks",
  admin: "Admin — everything, including plans and admin tokens",
  verifier: "Verifier — POST /v1/verify only (a provider's service)",
};
