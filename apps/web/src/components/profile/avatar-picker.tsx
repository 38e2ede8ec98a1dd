'use client';

import { useEffect, useRef, useState } from 'react';
import { describeError } from '@/lib/api-client';
import { uploadFile } from '@/lib/uploads';
import { useChat } from '@/components/providers/chat-provider';
import { Avatar } from '@/components/avatar/avatar';

/**
 * Choose an image -> preview it cropped to a circle (object-fit: cover, as the API crops the square) -> Save
 * (upload with progress) or Remove. Shared by the profile dialog and the group info panel.
 * @param uploadPath PUT target (`/api/users/me/avatar` or `/api/conversations/:id/avatar`)
 * @param onSaved gets the API's answer (SelfUser or ConversationSummary)
 */
export function AvatarPicker<T>({
  id,
  name,
  currentUrl,
  uploadPath,
  onSaved,
  onRemove,
}: {
  id: string;
  name: string;
  currentUrl: string | null;
  uploadPath: string;
  onSaved: (result: T) => void;
  onRemove: () => Promise<void>;
}) {
  const { api } = useChat();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(
    () => () => {
      if (preview) URL.revokeObjectURL(preview);
    },
    [preview],
  );

  async function save() {
    if (!file) return;
    setError(null);
    setProgress(0);
    try {
      const result = await uploadFile<T>(api, 'PUT', uploadPath, file, setProgress).result;
      onSaved(result);
      setFile(null);
      setPreview(null);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setProgress(null);
    }
  }

  async function remove() {
    setError(null);
    try {
      await onRemove();
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <div className="avatar-picker">
      <div className="avatar-preview" data-testid="avatar-preview">
        {preview ? (
          // eslint-disable-next-line @next/next/no-img-element -- a local object URL
          <img src={preview} alt="New picture preview" />
        ) : (
          <Avatar id={id} name={name} size={96} url={currentUrl} />
        )}
      </div>
      <input
        ref={input}
        type="file"
        accept="image/jpeg,image/png,image/webp,image/gif,image/avif"
        hidden
        data-testid="avatar-input"
        onChange={(e) => {
          const chosen = e.target.files?.[0] ?? null;
          e.target.value = '';
          if (!chosen) return;
          setFile(chosen);
          setPreview(URL.createObjectURL(chosen));
          setError(null);
        }}
      />
      <div className="avatar-actions">
        <button
          type="button"
          className="button small"
          onClick={() => input.current?.click()}
          disabled={progress !== null}
        >
          Choose picture
        </button>
        {file ? (
          <button
            type="button"
            className="button primary small"
            onClick={() => void save()}
            disabled={progress !== null}
          >
            {progress !== null ? `Saving ${Math.round(progress * 100)}%` : 'Save picture'}
          </button>
        ) : null}
        {!file && currentUrl ? (
          <button type="button" className="button subtle small" onClick={() => void remove()}>
            Remove picture
          </button>
        ) : null}
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
