'use client';

import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { keepTabInside } from '@/lib/focus';

/** What a confirmation asks: a title ("Block Ana?"), what follows if confirmed, and the confirming button's label. */
export interface ConfirmQuestion {
  title: string;
  text: string;
  /** The confirming button ("Block", "Delete", "Sign out"). */
  confirmLabel: string;
  /** The confirming button in the danger style (destructive or hard to undo). Default true. */
  danger?: boolean;
}

/**
 * Asks once before an action that is destructive or hard to undo (WAI-ARIA APG "Alert Dialog" on a modal
 * <dialog>: focus trapped, the page behind inert, Escape cancels). Cancel takes the focus first, so Enter alone
 * never confirms. The app's own dialog rather than `window.confirm`, so it looks like the rest of the app, in both
 * colour schemes, and says what will happen in the words of the action.
 * @param onAnswer called once: true for the confirming button, false for Cancel, Escape or the dialog closing
 */
export function ConfirmDialog({
  question,
  onAnswer,
}: {
  question: ConfirmQuestion;
  onAnswer: (confirmed: boolean) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const answered = useRef(false);
  const titleId = useId();
  const textId = useId();
  const answer = (confirmed: boolean) => {
    if (answered.current) return;
    answered.current = true;
    // Closed natively before it unmounts, so the browser gives the focus back to what had it before.
    if (ref.current?.open) ref.current.close();
    onAnswer(confirmed);
  };

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    cancel.current?.focus();
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={ref}
      role="alertdialog"
      className="modal confirm-dialog"
      aria-labelledby={titleId}
      aria-describedby={textId}
      onClose={() => answer(false)}
      onKeyDown={keepTabInside}
    >
      <h2 id={titleId} className="modal-title">
        {question.title}
      </h2>
      <p id={textId} className="confirm-text">
        {question.text}
      </p>
      <div className="modal-actions">
        <button ref={cancel} type="button" className="button subtle" onClick={() => answer(false)}>
          Cancel
        </button>
        <button
          type="button"
          className={`button ${question.danger === false ? 'primary' : 'danger'}`}
          onClick={() => answer(true)}
        >
          {question.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/**
 * `window.confirm` as the app's own dialog: `const [dialog, confirm] = useConfirm()`, render `dialog`, then
 * `if (!(await confirm({ title, text, confirmLabel }))) return;`. One question at a time: asking again while one is
 * open answers the first with false.
 * @returns the element to render (null while nothing is asked) and the function that asks
 */
export function useConfirm(): [ReactNode, (question: ConfirmQuestion) => Promise<boolean>] {
  const [asking, setAsking] = useState<{
    question: ConfirmQuestion;
    resolve: (confirmed: boolean) => void;
  } | null>(null);
  // The question open now, kept in step with `asking` by confirm() itself, so a second question or an unmount in
  // the same tick still answers the first.
  const current = useRef<typeof asking>(null);
  useEffect(() => () => current.current?.resolve(false), []);

  const confirm = useCallback(
    (question: ConfirmQuestion) =>
      new Promise<boolean>((resolve) => {
        current.current?.resolve(false);
        const next = { question, resolve };
        current.current = next;
        setAsking(next);
      }),
    [],
  );
  const dialog = asking ? (
    <ConfirmDialog
      key={asking.question.title}
      question={asking.question}
      onAnswer={(confirmed) => {
        if (current.current === asking) current.current = null;
        setAsking(null);
        asking.resolve(confirmed);
      }}
    />
  ) : null;
  return [dialog, confirm];
}
