import { type KeyboardEvent, type ReactNode, type SyntheticEvent, useEffect, useId, useRef } from "react";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The same, inside the body only: each alternative is scoped (a plain prefix would scope the first alone). */
const IN_BODY = FOCUSABLE.split(", ")
  .map((selector) => `.dialog-body ${selector}`)
  .join(", ");

export interface DialogProps {
  readonly title: string;
  /** Escape, the close button and Cancel buttons call this; the parent unmounts the dialog. */
  readonly onClose: () => void;
  readonly children: ReactNode;
  readonly description?: ReactNode;
  /** `alertdialog` for destructive confirmations. */
  readonly role?: "dialog" | "alertdialog";
  /** Wider, for content that reads badly wrapped (a secret with code examples). */
  readonly wide?: boolean;
}

/**
 * A modal dialog on the native `<dialog>` (the page behind is inert): focus
 * moves into it and Tab cycles inside it, Escape closes it, and focus returns
 * to what opened it.
 */
export function Dialog({
  title,
  onClose,
  children,
  description,
  role = "dialog",
  wide = false,
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const first =
      dialog.querySelector<HTMLElement>("[data-autofocus]") ??
      dialog.querySelector<HTMLElement>(IN_BODY) ??
      dialog.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    return () => {
      dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const trapTab = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== "Tab" || ref.current === null) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
      (item) => item.offsetParent !== null || item === document.activeElement,
    );
    const first = items[0];
    const last = items.at(-1);
    if (first === undefined || last === undefined) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };
  const cancel = (event: SyntheticEvent) => {
    event.preventDefault();
    onClose();
  };

  return (
    <dialog
      ref={ref}
      className={wide ? "dialog dialog-wide" : "dialog"}
      role={role}
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={description === undefined ? undefined : descriptionId}
      onCancel={cancel}
      onKeyDown={trapTab}
    >
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close dialog">
          <span aria-hidden="true">×</span>
        </button>
      </header>
      {description === undefined ? null : (
        <div id={descriptionId} className="dialog-description">
          {description}
        </div>
      )}
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}
