/**
 * What the upload routes receive from multer with ScratchFileEngine (`req.file`), reduced to what the services
 * use. `path` is our scratch file; `originalName` and `declaredMime` are the client's claims and are treated as
 * such (display only, and a declared image type must match the bytes).
 */
export interface UploadedFile {
  path: string;
  /** Bytes received. */
  size: number;
  originalName: string;
  declaredMime: string;
}

/** Multer's file object (with the fields ScratchFileEngine adds) -> UploadedFile; undefined when no file came. */
export function fromMulter(file: Express.Multer.File | undefined): UploadedFile | undefined {
  if (!file || typeof file.path !== 'string') return undefined;
  return {
    path: file.path,
    size: file.size,
    originalName: file.originalname ?? '',
    declaredMime: file.mimetype ?? '',
  };
}
