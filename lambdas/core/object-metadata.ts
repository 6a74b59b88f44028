/**
 * S3 user metadata travels as HTTP headers, which carry printable ASCII only: a source path with
 * any other character (CJK, emoji, ESC, BEL, even Latin-1 in some clients) makes the request
 * fail. The path is written as it is when it is header-safe, else as base64url of its UTF-8 bytes
 * under its own key, which is also the shortest form that keeps a 1,024-byte key inside S3's
 * 2 KB user-metadata limit.
 */

/** The source path as it is, for header-safe paths (and for every object written before). */
export const SOURCE_FILE_KEY = 'source-file';
/** The source path as base64url of its UTF-8 bytes, for every other path. */
export const SOURCE_FILE_B64_KEY = 'source-file-b64';

/** Printable ASCII, no leading or trailing space (HTTP trims those). */
const HEADER_SAFE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** The metadata entry that carries a source path through any S3 header. */
export function sourceFileMetadata(sourcePath: string): Record<string, string> {
  return HEADER_SAFE.test(sourcePath)
    ? { [SOURCE_FILE_KEY]: sourcePath }
    : { [SOURCE_FILE_B64_KEY]: Buffer.from(sourcePath, 'utf8').toString('base64url') };
}

/** The source path from object metadata written by any version of the engine. */
export function sourceFileFromMetadata(metadata: Readonly<Record<string, string>>): string | undefined {
  const encoded = metadata[SOURCE_FILE_B64_KEY];
  if (encoded !== undefined) return Buffer.from(encoded, 'base64url').toString('utf8');
  return metadata[SOURCE_FILE_KEY];
}
