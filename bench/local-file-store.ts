/**
 * An ObjectStore on local directories, one per bucket, for measuring the engine without a
 * network. Reads stream with fs.createReadStream; writes stream to a temporary file with
 * backpressure and appear under their key only on complete(), as a multipart upload does.
 * User metadata is not kept: nothing in the measured path reads it back.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { ObjectChangedError } from '../lambdas/core/errors.js';
import type { ByteRange, ObjectHead, ObjectStore, ObjectWriter, PutOptions } from '../lambdas/core/ports.js';

const LIST_PAGE_SIZE = 1000;

export interface LocalFileObjectStoreOptions {
  /** Bucket name to directory. */
  readonly buckets: Readonly<Record<string, string>>;
  /** Read chunk size; Node's default for file streams is 64 KiB. */
  readonly readChunkBytes?: number;
}

let tempCounter = 0;

/** Resolves when the stream drains or fails, whichever comes first, and leaves no listener behind. */
function drained(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (e: Error) => {
      stream.off('drain', onDrain);
      reject(e);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

function finished(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

export class LocalFileObjectStore implements ObjectStore {
  private readonly readChunkBytes: number;

  constructor(private readonly options: LocalFileObjectStoreOptions) {
    this.readChunkBytes = options.readChunkBytes ?? 64 * 1024;
  }

  private root(bucket: string): string {
    const dir = this.options.buckets[bucket];
    if (!dir) throw new Error(`no directory for bucket "${bucket}"`);
    return dir;
  }

  private pathOf(bucket: string, key: string): string {
    if (key.split('/').includes('..')) throw new Error(`key "${key}" leaves its bucket`);
    return join(this.root(bucket), ...key.split('/'));
  }

  /** A stand-in ETag: size and modification time change whenever the file does. */
  private etagOf(size: number, mtimeMs: number): string {
    return `${size.toString(16)}-${Math.round(mtimeMs * 1000).toString(16)}`;
  }

  async head(bucket: string, key: string): Promise<ObjectHead | undefined> {
    try {
      const s = await stat(this.pathOf(bucket, key));
      if (!s.isFile()) return undefined;
      return { bucket, key, etag: this.etagOf(s.size, s.mtimeMs), size: s.size, lastModified: s.mtime };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async read(
    bucket: string,
    key: string,
    options?: { ifMatch?: string; range?: ByteRange },
  ): Promise<AsyncIterable<Uint8Array>> {
    const head = await this.head(bucket, key);
    if (!head || (options?.ifMatch !== undefined && options.ifMatch !== head.etag)) {
      throw new ObjectChangedError(`${bucket}/${key} changed or vanished`);
    }
    const range = options?.range;
    return createReadStream(this.pathOf(bucket, key), {
      highWaterMark: this.readChunkBytes,
      ...(range ? { start: range.start, ...(range.end !== undefined ? { end: range.end } : {}) } : {}),
    });
  }

  async openWriter(bucket: string, key: string, _options?: PutOptions): Promise<ObjectWriter> {
    const target = this.pathOf(bucket, key);
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}-${++tempCounter}.part`;
    const stream = createWriteStream(temp);
    let state: 'open' | 'done' | 'aborted' = 'open';
    return {
      write: async (chunk) => {
        if (state !== 'open') throw new Error(`writer for ${bucket}/${key} is ${state}`);
        if (stream.errored) throw stream.errored;
        // The Parquet writer hands over chunks it never touches again, so no copy is needed.
        if (!stream.write(chunk)) await drained(stream);
      },
      complete: async () => {
        if (state !== 'open') throw new Error(`writer for ${bucket}/${key} is ${state}`);
        state = 'done';
        await finished(stream);
        await rename(temp, target);
        const head = await this.head(bucket, key);
        return { etag: head!.etag };
      },
      abort: async () => {
        if (state !== 'open') return;
        state = 'aborted';
        stream.destroy();
        await rm(temp, { force: true });
      },
    };
  }

  async put(bucket: string, key: string, body: Uint8Array | string): Promise<{ etag: string }> {
    const target = this.pathOf(bucket, key);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, body);
    return { etag: (await this.head(bucket, key))!.etag };
  }

  async copy(
    source: { bucket: string; key: string; ifMatch?: string },
    target: { bucket: string; key: string },
  ): Promise<void> {
    const head = await this.head(source.bucket, source.key);
    if (!head || (source.ifMatch !== undefined && source.ifMatch !== head.etag)) {
      throw new ObjectChangedError(`copy source ${source.bucket}/${source.key} changed or vanished`);
    }
    const to = this.pathOf(target.bucket, target.key);
    await mkdir(dirname(to), { recursive: true });
    await copyFile(this.pathOf(source.bucket, source.key), to);
  }

  async *list(
    bucket: string,
    prefix: string,
    options?: { startAfter?: string },
  ): AsyncIterable<ObjectHead[]> {
    const root = this.root(bucket);
    let entries: string[];
    try {
      entries = (await readdir(root, { recursive: true })) as string[];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    const startAfter = options?.startAfter;
    const keys = entries
      .map((p) => relative(root, join(root, p)).split(sep).join('/'))
      .filter((k) => k.startsWith(prefix) && !k.endsWith('.part') && (!startAfter || k > startAfter))
      .sort();
    for (let i = 0; i < keys.length; i += LIST_PAGE_SIZE) {
      const heads = await Promise.all(keys.slice(i, i + LIST_PAGE_SIZE).map((k) => this.head(bucket, k)));
      yield heads.filter((h): h is ObjectHead => h !== undefined);
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    await rm(this.pathOf(bucket, key), { force: true });
  }

  /** Files carry no tags: the benchmark's contracts keep their sources. */
  async tag(bucket: string, key: string): Promise<void> {
    throw new Error(`tagging is not supported by the local file store (${bucket}/${key})`);
  }
}
