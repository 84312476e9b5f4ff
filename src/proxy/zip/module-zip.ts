import { Zip, ZipDeflate } from 'fflate';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { hash1, type FileDigest } from './dirhash.js';
import type { ModuleFile } from './file.js';

export interface ModuleZipInput {
  /** Module path, unescaped (the zip's names use it as is, like x/mod/zip.Create). */
  modulePath: string;
  /** Canonical version, unescaped. */
  version: string;
  /** The files to write, in order: checkFiles(...).valid. Every one must be a regular file. */
  files: readonly ModuleFile[];
}

export interface ModuleZipSummary {
  /** dirhash.Hash1 over the entries written: what go.sum and `go mod download -json` call Sum. */
  h1: string;
  fileCount: number;
  /** Bytes of the zip itself. */
  size: number;
}

export interface ModuleZip {
  stream: ReadableStream<Uint8Array>;
  /** Settles once the stream is fully read; rejects when it fails (a file's size was wrong, open() failed, ...). */
  done: Promise<ModuleZipSummary>;
}

/** Zip bytes held ahead of the reader before producing pauses: memory stays bounded whatever the module size. */
const HIGH_WATER_BYTES = 1 << 20;

/** compress/flate's DefaultCompression, which x/mod/zip.Create uses; compression does not change h1. */
const DEFLATE_LEVEL = 6;

/** A fixed date, so the same files always give the same zip bytes (x/mod/zip leaves Modified zero too). */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

/**
 * Writes a module zip as x/mod/zip.Create does: one deflated entry per file, named
 * `<module>@<version>/<path>`, no directory entries (a directory entry changes h1, see
 * module-proxy-rules.md §4.6), non-ASCII names stored as UTF-8 with the EFS flag (fflate sets it).
 * Content is read from each file's open() and hashed on the way, so the h1 is known when the
 * stream ends and neither the zip nor a file is ever held whole. The stream is produced only as
 * fast as it is read.
 */
export function createModuleZip(input: ModuleZipInput): ModuleZip {
  const prefix = `${input.modulePath}@${input.version}/`;
  let resolveDone!: (s: ModuleZipSummary) => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<ModuleZipSummary>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => {}); // a caller that only reads the stream sees the failure there

  let wakeProducer: (() => void) | undefined;
  let cancelled = false;
  let currentReader: ReadableStreamDefaultReader<Uint8Array> | undefined;

  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const produce = async (): Promise<ModuleZipSummary> => {
          let zipSize = 0;
          let zipError: unknown;
          let finished = false;
          const zip = new Zip((err, chunk, final) => {
            if (err) {
              zipError = err;
              return;
            }
            zipSize += chunk.length;
            if (chunk.length > 0) controller.enqueue(chunk);
            if (final) finished = true;
          });
          const waitForReader = async (): Promise<void> => {
            while (!cancelled && (controller.desiredSize ?? 1) <= 0) {
              await new Promise<void>((resolve) => (wakeProducer = resolve));
            }
            if (cancelled) throw new Error('module zip: the reader cancelled the stream');
            if (zipError !== undefined) throw zipError;
          };

          const digests: FileDigest[] = [];
          const names = new Set<string>();
          for (const file of input.files) {
            const name = prefix + file.path;
            if (file.kind !== 'file') throw new Error(`module zip: ${file.path} is a ${file.kind}, not a regular file (run checkFiles first)`);
            if (names.has(name)) throw new Error(`module zip: ${file.path} is listed twice`);
            names.add(name);
            const entry = new ZipDeflate(name, { level: DEFLATE_LEVEL });
            entry.mtime = FIXED_MTIME;
            zip.add(entry);
            const hash = sha256.create();
            let read = 0;
            currentReader = (await file.open()).getReader();
            for (;;) {
              await waitForReader();
              const { value, done: eof } = await currentReader.read();
              if (eof) break;
              read += value.length;
              // x/mod/zip.Create refuses a file that grows past its Lstat size; a shrink is as wrong for h1.
              if (read > file.size) throw new Error(`module zip: ${file.path} has more than the ${file.size} bytes it declared`);
              hash.update(value);
              entry.push(value, false);
            }
            currentReader = undefined;
            if (cancelled) throw new Error('module zip: the reader cancelled the stream');
            if (read !== file.size) throw new Error(`module zip: ${file.path} has ${read} bytes, not the ${file.size} it declared`);
            entry.push(new Uint8Array(0), true);
            digests.push({ name, sha256Hex: bytesToHex(hash.digest()) });
          }
          zip.end();
          if (zipError !== undefined) throw zipError;
          if (!finished) throw new Error('module zip: the zip writer did not finish');
          return { h1: hash1(digests), fileCount: digests.length, size: zipSize };
        };
        produce().then(
          (summary) => {
            controller.close();
            resolveDone(summary);
          },
          (error: unknown) => {
            if (!cancelled) controller.error(error);
            rejectDone(error);
          },
        );
      },
      pull() {
        const wake = wakeProducer;
        wakeProducer = undefined;
        wake?.();
      },
      cancel(reason) {
        cancelled = true;
        void currentReader?.cancel(reason).catch(() => {});
        const wake = wakeProducer;
        wakeProducer = undefined;
        wake?.();
      },
    },
    { highWaterMark: HIGH_WATER_BYTES, size: (chunk) => chunk.byteLength },
  );
  return { stream, done };
}
