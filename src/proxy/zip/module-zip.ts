import { hash1, sha256Stream, type HashedFile } from "../../module/dirhash.js";
import type { ModuleFile } from "./file.js";
import { deflateRaw, deflateRawBytes, ONE_CALL_BYTES } from "./raw-deflate.js";
import { centralHeader, checkFits32, dataDescriptor, endRecords, entryFlags, localHeader, updateCrc32, type WrittenEntry } from "./zip-records.js";

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
  /** Settles once the stream is fully read; rejects when it fails (a file's size was wrong, open() failed, ...) or the reader cancels before the last byte. */
  done: Promise<ModuleZipSummary>;
}

/** Zip bytes held ahead of the reader before producing pauses: memory stays bounded whatever the module size. */
const HIGH_WATER_BYTES = 1 << 20;
/**
 * The zip is handed on in pieces of at least this size (the last one aside), not record by
 * record: a store writes each piece it reads (a file write on Node), and three small pieces per
 * entry cost a cold build of an ordinary module hundreds of writes.
 */
const PIECE_BYTES = 64 * 1024;

const encoder = new TextEncoder();

/**
 * Writes a module zip as x/mod/zip.Create does: one deflated entry per file, named
 * `<module>@<version>/<path>`, no directory entries (a directory entry changes h1, see
 * docs/go-rules.md §4.6), names stored as UTF-8 with the EFS flag where archive/zip sets it (zip-records.ts).
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
  const cancelledError = () => new Error("module zip: the reader cancelled the stream");
  let currentReader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let currentCompressed: ReadableStreamDefaultReader<Uint8Array> | undefined;
  /** Every byte is enqueued / every byte has been read (the queue emptied after the last one). */
  let produced = false;
  let allRead = false;
  const queueEmpty = (controller: ReadableStreamDefaultController<Uint8Array>) => (controller.desiredSize ?? 0) >= HIGH_WATER_BYTES;

  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const produce = async (): Promise<ModuleZipSummary> => {
          let zipSize = 0;
          let piece: Uint8Array[] = [];
          let pieceBytes = 0;
          const flush = (): void => {
            if (pieceBytes === 0) return;
            controller.enqueue(piece.length === 1 ? piece[0]! : concat(piece, pieceBytes));
            piece = [];
            pieceBytes = 0;
          };
          const emit = (bytes: Uint8Array): void => {
            if (cancelled) throw cancelledError();
            zipSize += bytes.length;
            if (bytes.length === 0) return;
            piece.push(bytes);
            pieceBytes += bytes.length;
            if (pieceBytes >= PIECE_BYTES) flush();
          };
          const waitForReader = async (): Promise<void> => {
            while (!cancelled && (controller.desiredSize ?? 1) <= 0) {
              await new Promise<void>((resolve) => (wakeProducer = resolve));
            }
            if (cancelled) throw cancelledError();
          };
          // Called right after the last emit, while the stream is still open; then pull() (which
          // runs after every read that leaves room) notes when the last byte is taken. A cancel
          // after that point comes too late to fail the zip: the reader has it all.
          const waitUntilAllRead = async (): Promise<void> => {
            produced = true;
            if (queueEmpty(controller)) allRead = true;
            while (!allRead && !cancelled) await new Promise<void>((resolve) => (wakeProducer = resolve));
            if (!allRead) throw cancelledError();
          };

          const digests: HashedFile[] = [];
          const written: WrittenEntry[] = [];
          const names = new Set<string>();
          for (const file of input.files) {
            const name = prefix + file.path;
            if (file.kind !== "file") throw new Error(`module zip: ${file.path} is a ${file.kind}, not a regular file (run checkFiles first)`);
            if (names.has(name)) throw new Error(`module zip: ${file.path} is listed twice`);
            names.add(name);
            const entry: WrittenEntry = {
              name: encoder.encode(name),
              flags: entryFlags(name),
              crc32: 0,
              compressedSize: 0,
              size: 0,
              localHeaderOffset: zipSize,
            };
            checkFits32(zipSize, "the zip");
            await waitForReader();
            emit(localHeader(entry.name, entry.flags));
            const hash = sha256Stream();
            let crc = 0;
            if (file.size <= ONE_CALL_BYTES) {
              // A small file (most of a module): read whole, then deflated in one call.
              const chunks: Uint8Array[] = [];
              currentReader = (await file.open()).getReader();
              try {
                for (;;) {
                  const { value, done: eof } = await currentReader.read();
                  if (eof) break;
                  entry.size += value.length;
                  if (entry.size > file.size) throw new Error(`module zip: ${file.path} has more than the ${file.size} bytes it declared`);
                  hash.update(value);
                  crc = updateCrc32(crc, value);
                  chunks.push(value);
                }
                if (cancelled) throw new Error("module zip: the reader cancelled the stream");
              } catch (error) {
                void currentReader.cancel(error).catch(() => {});
                throw error;
              }
              currentReader = undefined;
              if (entry.size !== file.size) throw new Error(`module zip: ${file.path} has ${entry.size} bytes, not the ${file.size} it declared`);
              const compressed = deflateRawBytes(chunks.length === 1 ? chunks[0]! : concat(chunks, entry.size));
              entry.compressedSize = compressed.length;
              emit(compressed);
              entry.crc32 = crc;
              emit(dataDescriptor(entry));
              written.push(entry);
              digests.push({ name, sha256: hash.digest() });
              continue;
            }
            const deflate = deflateRaw();
            const input = deflate.writable.getWriter();
            // The compressed side is read as fast as it comes: how far the producer runs ahead is
            // bounded on the input side (waitForReader before each chunk is fed) instead, because
            // Node's CompressionStream queues its output without backpressure (its readable side
            // counts 16384 chunks, not bytes), so a paused reader would never stop the pipe.
            // But a write completes only once most of its output is read: a compressed side left
            // unread (the reader cancelled while a write waited) must be cancelled, which fails the
            // write, or the producer would wait on it forever.
            const compressed = deflate.readable.getReader();
            currentCompressed = compressed;
            const output = (async () => {
              try {
                for (;;) {
                  const { value, done: eof } = await compressed.read();
                  if (eof) return;
                  entry.compressedSize += value.length;
                  emit(value);
                }
              } catch (error) {
                void compressed.cancel(error).catch(() => {});
                throw error;
              }
            })();
            output.catch(() => {}); // awaited below; a failure surfaces there or through the input side
            currentReader = (await file.open()).getReader();
            try {
              for (;;) {
                await waitForReader();
                const { value, done: eof } = await currentReader.read();
                if (eof) break;
                entry.size += value.length;
                // x/mod/zip.Create refuses a file that grows past its Lstat size; a shrink is as wrong for h1.
                if (entry.size > file.size) throw new Error(`module zip: ${file.path} has more than the ${file.size} bytes it declared`);
                hash.update(value);
                crc = updateCrc32(crc, value);
                // The level (zlib's default, as x/mod/zip's) shapes only the zip's bytes, never h1.
                await input.write(value);
              }
              if (cancelled) throw cancelledError();
              await input.close();
              await output;
            } catch (error) {
              void input.abort(error).catch(() => {});
              void compressed.cancel(error).catch(() => {});
              void currentReader.cancel(error).catch(() => {});
              // A write failed by the cancellation rejects with the reader's reason (often none).
              throw cancelled ? cancelledError() : error;
            }
            currentReader = undefined;
            currentCompressed = undefined;
            if (entry.size !== file.size) throw new Error(`module zip: ${file.path} has ${entry.size} bytes, not the ${file.size} it declared`);
            entry.crc32 = crc;
            emit(dataDescriptor(entry));
            written.push(entry);
            digests.push({ name, sha256: hash.digest() });
          }
          const directoryOffset = zipSize;
          checkFits32(directoryOffset, "the zip");
          for (const entry of written) {
            await waitForReader();
            emit(centralHeader(entry));
          }
          emit(endRecords(written.length, zipSize - directoryOffset, directoryOffset));
          flush();
          // `done` means read, not only produced: a reader that cancels before the last byte fails it.
          await waitUntilAllRead();
          return { h1: hash1(digests), fileCount: digests.length, size: zipSize };
        };
        produce().then(
          (summary) => {
            // A cancel after the last byte was read has closed the stream already.
            if (!cancelled) controller.close();
            resolveDone(summary);
          },
          (error: unknown) => {
            if (!cancelled) controller.error(error);
            rejectDone(error);
          },
        );
      },
      pull(controller) {
        if (produced && queueEmpty(controller)) allRead = true;
        const wake = wakeProducer;
        wakeProducer = undefined;
        wake?.();
      },
      cancel(reason) {
        cancelled = true;
        void currentReader?.cancel(reason).catch(() => {});
        void currentCompressed?.cancel(reason).catch(() => {});
        const wake = wakeProducer;
        wakeProducer = undefined;
        wake?.();
      },
    },
    { highWaterMark: HIGH_WATER_BYTES, size: (chunk) => chunk.byteLength },
  );
  return { stream, done };
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
