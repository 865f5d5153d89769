import { useState } from "react";

export interface CopyButtonProps {
  readonly text: string;
  readonly label?: string;
}

/** Copies `text` to the clipboard and says so (to screen readers too). */
export function CopyButton({ text, label = "Copy" }: CopyButtonProps) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <>
      <button type="button" className="button secondary" onClick={() => void copy()}>
        {label}
      </button>
      <span className="copy-status" role="status" aria-live="polite">
        {state === "copied" ? "Copied to the clipboard" : null}
        {state === "failed" ? "Copy failed: select the text and copy it yourself" : null}
      </span>
    </>
  );
}
