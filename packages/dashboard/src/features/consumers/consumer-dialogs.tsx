import type { ApiError } from "../../api/api-error.ts";
import type { ConsumerView, KeyView, PortalSignInLink } from "../../api/types.ts";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { SecretDialog } from "../../components/secret-dialog.tsx";
import { href } from "../../lib/routes.ts";
import { useApi } from "../../session/session-context.ts";
import { AllowedIpsDialog } from "./allowed-ips-dialog.tsx";
import { CreateKeyDialog } from "./create-key-dialog.tsx";
import { EditEmailDialog } from "./edit-email-dialog.tsx";
import { PortalLinkDialog } from "./portal-link-dialog.tsx";
import { RequestRotationDialog } from "./request-rotation-dialog.tsx";
import { RevokeDialog } from "./revoke-dialog.tsx";
import { RotateDialog } from "./rotate-dialog.tsx";

/** Which dialog of the consumer page is open; a secret or sign-in link lives here only while its dialog is. */
export type ConsumerDialog =
  | { readonly type: "create-key" }
  | { readonly type: "rotate"; readonly key: KeyView }
  | { readonly type: "request-rotation"; readonly key: KeyView }
  | { readonly type: "revoke"; readonly key: KeyView }
  | { readonly type: "allowed-ips"; readonly key: KeyView }
  | { readonly type: "toggle-disabled" }
  | { readonly type: "edit-email" }
  | { readonly type: "portal-link"; readonly link: PortalSignInLink }
  | { readonly type: "problem"; readonly title: string; readonly error: ApiError }
  | {
      readonly type: "secret";
      readonly title: string;
      readonly subject: string;
      readonly secret: string;
      readonly rotationId?: string;
    };

export interface ConsumerDialogsProps {
  readonly consumer: ConsumerView;
  readonly dialog: ConsumerDialog | null;
  readonly open: (dialog: ConsumerDialog | null) => void;
  /** Reload the page's data after a change. */
  readonly changed: () => void;
}

export function ConsumerDialogs({ consumer, dialog, open, changed }: ConsumerDialogsProps) {
  const api = useApi();
  const close = () => open(null);
  const done = () => {
    changed();
    close();
  };
  switch (dialog?.type) {
    case undefined:
      return null;
    case "create-key":
      return (
        <CreateKeyDialog
          consumerId={consumer.id}
          onClose={close}
          onCreated={({ key, secret }) => {
            changed();
            open({
              type: "secret",
              title: "Key created",
              subject: `the key “${key.name}” (${key.hint})`,
              secret,
            });
          }}
        />
      );
    case "rotate":
      return (
        <RotateDialog
          keyView={dialog.key}
          onClose={close}
          onRotated={({ key, secret, rotation }) => {
            changed();
            open({
              type: "secret",
              title: "Key rotated",
              subject: `version ${key.version} of “${key.name}” (${key.hint})`,
              secret,
              rotationId: rotation.id,
            });
          }}
        />
      );
    case "request-rotation":
      return <RequestRotationDialog keyView={dialog.key} onClose={close} onDone={done} />;
    case "revoke":
      return <RevokeDialog keyView={dialog.key} onClose={close} onRevoked={done} />;
    case "allowed-ips":
      return <AllowedIpsDialog keyView={dialog.key} onClose={close} onSaved={done} />;
    case "toggle-disabled":
      return (
        <ConfirmDialog
          title={consumer.disabled ? `Enable ${consumer.name}` : `Disable ${consumer.name}`}
          confirmLabel={consumer.disabled ? "Enable consumer" : "Disable consumer"}
          danger={!consumer.disabled}
          onClose={close}
          onConfirm={async () => {
            await api.send("PATCH", `/v1/consumers/${encodeURIComponent(consumer.id)}`, {
              disabled: !consumer.disabled,
            });
            done();
          }}
        >
          <p>
            {consumer.disabled
              ? "Its valid keys work again on every node."
              : "Every key of this consumer is refused (403 CONSUMER_DISABLED) until it is enabled again."}
          </p>
        </ConfirmDialog>
      );
    case "edit-email":
      return <EditEmailDialog consumer={consumer} onClose={close} onSaved={done} />;
    case "portal-link":
      return <PortalLinkDialog consumerName={consumer.name} link={dialog.link} onClose={close} />;
    case "problem":
      return (
        <Dialog title={dialog.title} onClose={close}>
          <ProblemMessage error={dialog.error} />
          <div className="dialog-actions">
            <button type="button" className="button primary" onClick={close}>
              Close
            </button>
          </div>
        </Dialog>
      );
    case "secret":
      return (
        <SecretDialog title={dialog.title} subject={dialog.subject} secret={dialog.secret} onClose={close}>
          {dialog.rotationId === undefined ? null : (
            <p>
              The old key keeps working during the overlap.{" "}
              <a href={href.rotation(dialog.rotationId)}>Follow the migration on the rotation page</a>.
            </p>
          )}
        </SecretDialog>
      );
  }
}
