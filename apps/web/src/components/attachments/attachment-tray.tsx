'use client';

import { formatBytes } from '@/lib/media';
import type { AttachmentUploads } from './use-attachment-uploads';

/**
 * The files waiting to be sent with the next message: image previews (object URLs, nothing re-downloaded) or file
 * cards, each with its upload progress, its error, and a button that cancels the upload or removes the file.
 */
export function AttachmentTray({ uploads }: { uploads: AttachmentUploads }) {
  if (uploads.items.length === 0) return null;
  return (
    <ul className="attachment-tray" aria-label="Files to send" data-testid="attachment-tray">
      {uploads.items.map((item) => (
        <li
          key={item.localId}
          className={`tray-item ${item.status}`}
          data-testid="tray-item"
          data-status={item.status}
        >
          {item.previewUrl ? (
            // eslint-disable-next-line @next/next/no-img-element -- a local object URL
            <img className="tray-preview" src={item.previewUrl} alt="" />
          ) : (
            <span className="tray-preview tray-file" aria-hidden="true">
              {(item.file.name.split('.').pop() ?? 'file').slice(0, 4).toUpperCase()}
            </span>
          )}
          <span className="tray-info">
            <span className="tray-name" title={item.file.name}>
              {item.file.name}
            </span>
            <span className="tray-size">{formatBytes(item.file.size)}</span>
            {item.status === 'uploading' ? (
              <progress
                className="tray-progress"
                max={1}
                value={item.progress}
                aria-label={`Uploading ${item.file.name}`}
              />
            ) : null}
            {item.status === 'error' ? (
              <span className="tray-error" role="alert">
                {item.error}
              </span>
            ) : null}
          </span>
          <button
            type="button"
            className="icon-button tray-remove"
            onClick={() => uploads.remove(item.localId)}
            aria-label={
              item.status === 'uploading'
                ? `Cancel upload of ${item.file.name}`
                : `Remove ${item.file.name}`
            }
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
