import type { PortalKey, RotatedKey } from "../api/portal-types.ts";
import { navigate } from "../lib/navigation.ts";
import { portalHref } from "../lib/portal-routes.ts";
import { AllowedIpsDialog } from "./allowed-ips-dialog.tsx";
import { KeySecretDialog } from "./key-secret-dialog.tsx";
import { RenameKeyDialog } from "./rename-key-dialog.tsx";
import { RevokeKeyDialog } from "./revoke-key-dialog.tsx";
import { RotateKeyDialog } from "./rotate-key-dialog.tsx";

/** Which dialog of the key page is open; a new secret lives here only while its dialog is. */
export type KeyDialog =
  | { readonly type: "rename" | "allowed-ips" | "rotate" | "revoke" }
  | { readonly type: "secret"; readonly rotated: RotatedKey };

export interface KeyDialogsProps {
  readonly keyView: PortalKey;
  readonly dialog: KeyDialog | null;
  readonly open: (dialog: KeyDialog | null) => void;
  /** Reload the page's data after a change. */
  readonly changed: () => void;
}

export function KeyDialogs({ keyView, dialog, open, changed }: KeyDialogsProps) {
  const close = () => open(null);
  const done = () => {
    changed();
    close();
  };
  switch (dialog?.type) {
    case undefined:
      return null;
    case "rename":
      return <RenameKeyDialog keyView={keyView} onClose={close} onRenamed={done} />;
    case "allowed-ips":
      return <AllowedIpsDialog keyView={keyView} onClose={close} onSaved={done} />;
    case "revoke":
      return <RevokeKeyDialog keyView={keyView} onClose={close} onRevoked={done} />;
    case "rotate":
      return (
        <RotateKeyDialog
          keyView={keyView}
          onClose={close}
          onRotated={(rotated) => {
            changed();
            open({ type: "secret", rotated });
          }}
        />
      );
    case "secret": {
      const { rotation, key, secret } = dialog.rotated;
      return (
        <KeySecretDialog
          title="Key rotated"
          keyView={key}
          secret={secret}
          onDone={() => {
            close();
            navigate(portalHref.rotation(rotation.id));
          }}
        >
          <p className="secret-note">
            Your previous key keeps working during the overlap. Next, you will see the traffic move from it to
            this one.
          </p>
        </KeySecretDialog>
      );
    }
  }
}
