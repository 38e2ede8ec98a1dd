import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { ErrorCode, LIMITS } from '@chat/shared';
import { AppError } from '../common/app-error.js';

/** A re-encoded image written to `outputPath`. */
export interface ReencodedImage {
  mimeType: string;
  /** Pixel size of the stored image (of one frame for animations), after EXIF orientation was applied. */
  width: number;
  height: number;
}

/** Formats with more than one frame that we keep animated. */
const ANIMATED_INPUTS = new Set(['image/gif', 'image/webp']);

/**
 * Reads only the header and refuses images above LIMITS.IMAGE_MAX_PIXELS (all frames counted) before anything is
 * decoded: a 50 KB PNG can declare 100,000 x 100,000 pixels and would need 40 GB to decode (decompression bomb).
 * sharp's own `limitInputPixels` is set as well on every decode, as a second line.
 * @throws AppError IMAGE_TOO_LARGE (413); UNSUPPORTED_MEDIA_TYPE (415) when the header cannot be read
 */
async function checkPixels(path: string, animated: boolean): Promise<void> {
  let meta: Metadata;
  try {
    meta = await sharp(path, { animated, limitInputPixels: false }).metadata();
  } catch {
    throw unreadable();
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  if (!meta.width || !meta.height) throw unreadable();
  if (pixels > LIMITS.IMAGE_MAX_PIXELS) {
    throw new AppError(
      ErrorCode.IMAGE_TOO_LARGE,
      `The image has more than ${LIMITS.IMAGE_MAX_PIXELS} pixels.`,
    );
  }
}

/**
 * Re-encodes an uploaded image: EXIF orientation applied (`rotate()`), every piece of metadata dropped (EXIF with
 * GPS, XMP, IPTC, comments: sharp writes none unless `withMetadata`/`keepExif` is called), output in the input's
 * format except AVIF, which becomes WebP (AVIF encoding costs seconds per photo on a small server). Animated GIF
 * and WebP keep their frames (re-encoded, so their metadata is gone too); orientation does not apply to them.
 * Decision recorded in docs/attachments.md.
 * @param inputMime the sniffed type (one of IMAGE_TYPES)
 * @throws AppError IMAGE_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE (undecodable or truncated image)
 */
export async function reencodeImage(
  inputPath: string,
  inputMime: string,
  outputPath: string,
): Promise<ReencodedImage> {
  const animated = ANIMATED_INPUTS.has(inputMime);
  await checkPixels(inputPath, animated);
  let pipeline = sharp(inputPath, {
    animated,
    limitInputPixels: LIMITS.IMAGE_MAX_PIXELS,
    failOn: 'error',
  });
  if (!animated) pipeline = pipeline.rotate();
  let mimeType: string;
  switch (inputMime) {
    case 'image/jpeg':
      pipeline = pipeline.jpeg({ quality: 85, mozjpeg: true });
      mimeType = 'image/jpeg';
      break;
    case 'image/png':
      pipeline = pipeline.png({ compressionLevel: 9 });
      mimeType = 'image/png';
      break;
    case 'image/gif':
      pipeline = pipeline.gif();
      mimeType = 'image/gif';
      break;
    default:
      pipeline = pipeline.webp({ quality: 85 });
      mimeType = 'image/webp';
  }
  try {
    const info = await pipeline.toFile(outputPath);
    // For animations `height` is the whole strip of frames; one frame is what the client lays out.
    const pageHeight = (info as OutputInfo & { pageHeight?: number }).pageHeight;
    return { mimeType, width: info.width, height: pageHeight ?? info.height };
  } catch (error) {
    if (error instanceof Error && /pixel limit/i.test(error.message)) {
      throw new AppError(ErrorCode.IMAGE_TOO_LARGE, 'The image has too many pixels.');
    }
    throw unreadable();
  }
}

/**
 * A WebP thumbnail of an already re-encoded image (first frame), fitting inside LIMITS.THUMBNAIL_SIZE square,
 * never enlarged.
 * @returns the encoded bytes and their pixel size
 */
export async function makeThumbnail(
  path: string,
): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(path, { limitInputPixels: LIMITS.IMAGE_MAX_PIXELS })
    .resize({
      width: LIMITS.THUMBNAIL_SIZE,
      height: LIMITS.THUMBNAIL_SIZE,
      fit: 'inside',
      withoutEnlargement: true,
    })
    .webp({ quality: 80 })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * Square avatar renditions of an uploaded image: oriented, cropped to a square around the most interesting region
 * (sharp's `attention` strategy: luminance, saturation and skin tones), WebP, metadata dropped. First frame only.
 * @param sizes edge lengths in pixels, e.g. [LIMITS.AVATAR_SIZE, LIMITS.AVATAR_SMALL_SIZE]
 * @throws AppError IMAGE_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE
 */
export async function makeAvatars(path: string, sizes: readonly number[]): Promise<Buffer[]> {
  await checkPixels(path, false);
  try {
    return await Promise.all(
      sizes.map((size) =>
        sharp(path, { limitInputPixels: LIMITS.IMAGE_MAX_PIXELS, failOn: 'error' })
          .rotate()
          .resize({ width: size, height: size, fit: 'cover', position: sharp.strategy.attention })
          .webp({ quality: 85 })
          .toBuffer(),
      ),
    );
  } catch {
    throw unreadable();
  }
}

function unreadable(): AppError {
  return new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'The image could not be read.');
}
