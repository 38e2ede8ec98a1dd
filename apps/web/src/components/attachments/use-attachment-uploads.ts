'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { toast } from 'sonner';
import { LIMITS, type Attachment } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import type { HandedOffUploads } from '@/lib/chat-client';
import { uploadFile, type UploadHandle } from '@/lib/uploads';
import { useChat } from '@/components/providers/chat-provider';

/** One file in the composer's tray. */
export interface TrayItem {
  localId: string;
  file: File;
  /** Object URL for an image preview (revoked when the item leaves the tray). */
  previewUrl: string | null;
  /** 0..1 of the bytes sent. */
  progress: number;
  status: 'uploading' | 'done' | 'error';
  attachment: Attachment | null;
  error: string | null;
}

/** What the composer and the drop zone use. */
export interface AttachmentUploads {
  items: TrayItem[];
  /** Starts uploading each file at once (one request per file, so each has its own progress and cancel). */
  add: (files: Iterable<File>) => void;
  /** Cancels (aborts) a running upload, or deletes a finished one from the server, and drops it from the tray. */
  remove: (localId: string) => void;
  /** True while any upload is still running. */
  busy: boolean;
  /** Ids of finished uploads, in tray order. */
  readyIds: string[];
  /**
   * Hands every file in the tray to a send and empties the tray. Resolves once none of them is uploading any more
   * with the finished ones' ids (tray order) and how many failed. Handed-off uploads belong to the message: they
   * keep running when the conversation is left, and nothing of them is aborted or deleted.
   */
  handOff: () => Promise<HandedOffUploads>;
}

let counter = 0;

/**
 * What a tray item hands to a send (handOff): its attachment id when its upload has finished, the pending result
 * while it runs, null when it failed. `finished` is what the upload's own callback recorded: an upload can finish
 * (its handle gone) before React has re-rendered the item as done, and a send in that moment must still take it.
 */
export function handedOffId(
  item: Pick<TrayItem, 'status' | 'attachment'>,
  finished: Attachment | undefined,
  handle: Pick<UploadHandle<Attachment>, 'result'> | undefined,
): Promise<string | null> {
  const attachment = item.attachment ?? finished;
  if (attachment) return Promise.resolve(attachment.id);
  if (item.status === 'error' || !handle) return Promise.resolve(null);
  return handle.result.then(
    (uploaded) => uploaded.id,
    () => null,
  );
}

function readyIdsOf(items: readonly TrayItem[]): string[] {
  return items.flatMap((i) => (i.status === 'done' && i.attachment ? [i.attachment.id] : []));
}

/**
 * The attachment tray of one conversation's composer: uploads start as soon as files are chosen, dropped or pasted
 * (so sending is quick), each with XHR progress; at most LIMITS.ATTACHMENTS_PER_MESSAGE per message. Files still
 * in the tray when the conversation is left are deleted from the server (the API would remove them after its grace
 * period anyway); files handed to a send (`handOff`) are not.
 */
export function useAttachmentUploads(conversationId: string): AttachmentUploads {
  const { api } = useChat();
  const [items, setItems] = useState<TrayItem[]>([]);
  const handles = useRef(new Map<string, UploadHandle<Attachment>>());
  /** Uploads that finished, by localId, recorded at once (the items' state catches up at the next render). */
  const finished = useRef(new Map<string, Attachment>());
  const itemsRef = useRef(items);
  /** Items given to a send (handOff): their uploads are the message's now, never cancelled or deleted here. */
  const handedOff = useRef(new Set<string>());
  useEffect(() => {
    itemsRef.current = items;
  }, [items]);

  const handOff = useCallback((): Promise<HandedOffUploads> => {
    const taken = itemsRef.current;
    const results = taken.map((item): Promise<string | null> => {
      handedOff.current.add(item.localId);
      const handle = handles.current.get(item.localId);
      handles.current.delete(item.localId);
      const done = finished.current.get(item.localId);
      finished.current.delete(item.localId);
      return handedOffId(item, done, handle);
    });
    for (const item of taken) if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
    itemsRef.current = [];
    setItems([]);
    return Promise.all(results).then((ids) => ({
      ids: ids.filter((id): id is string => id !== null),
      failed: ids.filter((id) => id === null).length,
    }));
  }, []);

  const patch = useCallback((localId: string, change: Partial<TrayItem>) => {
    setItems((current) =>
      current.map((item) => (item.localId === localId ? { ...item, ...change } : item)),
    );
  }, []);

  const add = useCallback(
    (files: Iterable<File>) => {
      const list = [...files];
      const room = LIMITS.ATTACHMENTS_PER_MESSAGE - itemsRef.current.length;
      if (list.length > room)
        toast.error(`At most ${LIMITS.ATTACHMENTS_PER_MESSAGE} files per message.`);
      const accepted = list.slice(0, Math.max(room, 0));
      const added: TrayItem[] = accepted.map((file) => {
        counter += 1;
        return {
          localId: `up-${counter}`,
          file,
          previewUrl: file.type.startsWith('image/') ? URL.createObjectURL(file) : null,
          progress: 0,
          status: 'uploading',
          attachment: null,
          error: null,
        };
      });
      setItems((current) => [...current, ...added]);
      for (const item of added) {
        const handle = uploadFile<Attachment>(
          api,
          'POST',
          `/api/conversations/${encodeURIComponent(conversationId)}/attachments`,
          item.file,
          (progress) => patch(item.localId, { progress }),
        );
        handles.current.set(item.localId, handle);
        handle.result.then(
          (attachment) => {
            handles.current.delete(item.localId);
            if (handedOff.current.has(item.localId)) return; // a send waits for it (handOff)
            finished.current.set(item.localId, attachment);
            // Removed from the tray while the last bytes were in flight: the server has it, so delete it there.
            if (!itemsRef.current.some((i) => i.localId === item.localId)) {
              finished.current.delete(item.localId);
              void api.deleteAttachment(attachment.id).catch(() => undefined);
              return;
            }
            patch(item.localId, { status: 'done', progress: 1, attachment });
          },
          (error: unknown) => {
            handles.current.delete(item.localId);
            if (error instanceof DOMException && error.name === 'AbortError') return;
            patch(item.localId, { status: 'error', error: describeError(error) });
          },
        );
      }
    },
    [api, conversationId, patch],
  );

  const remove = useCallback(
    (localId: string) => {
      const item = itemsRef.current.find((i) => i.localId === localId);
      if (!item) return;
      handles.current.get(localId)?.abort();
      handles.current.delete(localId);
      const attachment = item.attachment ?? finished.current.get(localId);
      finished.current.delete(localId);
      if (attachment) void api.deleteAttachment(attachment.id).catch(() => undefined);
      if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
      setItems((current) => current.filter((i) => i.localId !== localId));
    },
    [api],
  );

  // Leaving the conversation with files in the tray: cancel and delete them.
  useEffect(() => {
    const running = handles.current;
    const uploaded = finished.current;
    return () => {
      for (const handle of running.values()) handle.abort();
      for (const item of itemsRef.current) {
        const attachment = item.attachment ?? uploaded.get(item.localId);
        if (attachment) void api.deleteAttachment(attachment.id).catch(() => undefined);
        if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
      }
    };
  }, [api]);

  return {
    items,
    add,
    remove,
    busy: items.some((i) => i.status === 'uploading'),
    readyIds: readyIdsOf(items),
    handOff,
  };
}
