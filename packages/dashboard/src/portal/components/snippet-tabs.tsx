import { type KeyboardEvent, useId, useRef, useState } from "react";
import { CopyButton } from "../../components/copy-button.tsx";
import type { Snippet } from "../lib/snippets.ts";

export interface SnippetTabsProps {
  readonly label: string;
  readonly snippets: readonly Snippet[];
}

/**
 * WAI-ARIA tabs: one tab stop, arrow keys (and Home/End) move between the
 * languages, the panel follows. Hidden panels are not rendered.
 */
export function SnippetTabs({ label, snippets }: SnippetTabsProps) {
  const id = useId();
  const [selected, setSelected] = useState(0);
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const current = snippets[selected] ?? snippets[0];
  if (current === undefined) return null;

  const move = (event: KeyboardEvent<HTMLDivElement>) => {
    const last = snippets.length - 1;
    const next =
      event.key === "ArrowRight"
        ? selected === last
          ? 0
          : selected + 1
        : event.key === "ArrowLeft"
          ? selected === 0
            ? last
            : selected - 1
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? last
              : null;
    if (next === null) return;
    event.preventDefault();
    setSelected(next);
    tabs.current[next]?.focus();
  };

  return (
    <div className="snippets">
      <div role="tablist" aria-label={label} className="snippet-tabs" onKeyDown={move}>
        {snippets.map((snippet, index) => (
          <button
            key={snippet.id}
            ref={(element) => {
              tabs.current[index] = element;
            }}
            type="button"
            role="tab"
            id={`${id}-tab-${snippet.id}`}
            aria-selected={index === selected}
            aria-controls={`${id}-panel`}
            tabIndex={index === selected ? 0 : -1}
            className="snippet-tab"
            onClick={() => setSelected(index)}
          >
            {snippet.label}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`${id}-panel`}
        aria-labelledby={`${id}-tab-${current.id}`}
        className="snippet-panel"
      >
        {/* Focusable so keyboard users can scroll a long line sideways. */}
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard. */}
        <pre className="snippet-code" tabIndex={0}>
          <code>{current.code}</code>
        </pre>
        <div className="snippet-actions">
          <CopyButton key={current.id} text={current.code} label={`Copy ${current.label} example`} />
        </div>
      </div>
    </div>
  );
}
