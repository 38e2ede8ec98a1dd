import { ErrorCode, isErrorCode, type ApiErrorBody } from '@chat/shared';
import { ApiError, type ApiClient } from './api-client';

/** A running upload: its result, and a way to stop it. */
export interface UploadHandle<T> {
  result: Promise<T>;
  /** Aborts the transfer; `result` then rejects with an AbortError DOMException. */
  abort: () => void;
}

/**
 * Uploads one file as multipart field `file` with XMLHttpRequest, because fetch still reports no upload progress
 * in most browsers (XHR's `upload.onprogress` does, everywhere). Bearer token from the API client; on 401
 * TOKEN_EXPIRED it refreshes once and starts again.
 * @param onProgress fraction 0..1 of the bytes sent
 * @throws (via `result`) ApiError with the API's code (FILE_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, ...), or
 *   SERVICE_UNAVAILABLE when the API could not be reached
 */
export function uploadFile<T>(
  api: ApiClient,
  method: 'POST' | 'PUT',
  path: string,
  file: File,
  onProgress: (fraction: number) => void,
): UploadHandle<T> {
  let xhr: XMLHttpRequest | null = null;
  let aborted = false;
  const once = (): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const request = new XMLHttpRequest();
      xhr = request;
      request.open(method, api.baseUrl + path);
      request.withCredentials = true;
      const token = api.getAccessToken();
      if (token) request.setRequestHeader('Authorization', `Bearer ${token}`);
      request.setRequestHeader('Accept', 'application/json');
      request.upload.onprogress = (event) => {
        if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
      };
      request.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
      request.onerror = () =>
        reject(new ApiError(0, ErrorCode.SERVICE_UNAVAILABLE, 'Cannot reach the server.'));
      request.onload = () => {
        let body: unknown;
        try {
          body = request.responseText ? (JSON.parse(request.responseText) as unknown) : undefined;
        } catch {
          body = undefined;
        }
        if (request.status >= 200 && request.status < 300) return resolve(body as T);
        const error = body as Partial<ApiErrorBody> | undefined;
        const code = isErrorCode(error?.code)
          ? error.code
          : request.status === 413
            ? ErrorCode.FILE_TOO_LARGE
            : ErrorCode.INTERNAL;
        reject(
          new ApiError(
            request.status,
            code,
            typeof error?.message === 'string'
              ? error.message
              : `The server answered ${request.status}`,
          ),
        );
      };
      const form = new FormData();
      form.append('file', file, file.name);
      request.send(form);
    });
  const result = (async () => {
    try {
      return await once();
    } catch (error) {
      if (!aborted && error instanceof ApiError && error.code === ErrorCode.TOKEN_EXPIRED) {
        await api.refresh();
        onProgress(0);
        return once();
      }
      throw error;
    }
  })();
  return {
    result,
    abort: () => {
      aborted = true;
      (xhr as XMLHttpRequest | null)?.abort();
    },
  };
}
