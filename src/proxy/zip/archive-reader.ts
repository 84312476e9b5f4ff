import { inflateRaw, inflateRawBytes, ONE_CALL_BYTES } from "./raw-deflate.js";
import { updateCrc32 } from "./zip-records.js";

/**
 * Reads a zip written by `git archive --format=zip` (what GitLab's /repository/archive.zip
 * returns, through Gitaly) from a random-access source: the central directory once, then each
 * entry streamed on demand. Written for git's output (archive-zip.c), not for every zip: no
 * encryption, no multi-disk; methods stored (0) and deflate (8); Zip64 records are followed.
 */

/** Random access to the archive's bytes: a file on Node, R2 ranges on Workers, a Uint8Array in tests. */
export interface RandomAccessSource {
  size: number;
  /** Exactly `length` bytes from `offset` (fewer only past the end). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface ArchiveEntry {
  /** Full name as stored, with git's top-level `<prefix>/` (UTF-8; invalid bytes become U+FFFD). */
  name: string;
  /** Directories and submodule gitlinks: git writes both as a name ending in '/' (archive-zip.c). */
  isDirectory: boolean;
  /** A symlink: Unix creator and S_IFLNK in the external attributes (docs/go-rules.md §4.8); its content is the target. */
  isSymlink: boolean;
  /** Unix mode when git wrote one (symlinks and executables), else undefined (git leaves attrs 0 for plain files). */
  unixMode: number | undefined;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  /** Offset of the entry's local header. */
  localHeaderOffset: number;
}

export interface ArchiveReader {
  entries: ArchiveEntry[];
  /** The entry's content, inflated as it is read; errors if its size or CRC-32 is not what the directory says. */
  open(entry: ArchiveEntry): ReadableStream<Uint8Array>;
}

export interface ArchiveReaderOptions {
  /** Bytes asked of the source per read while streaming an entry (fewer, larger reads suit R2). */
  chunkSize?: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const CREATOR_UNIX = 3;
const FLAG_ENCRYPTED = 0x1;

export async function openArchive(source: RandomAccessSource, opts: ArchiveReaderOptions = {}): Promise<ArchiveReader> {
  const chunkSize = opts.chunkSize ?? 256 * 1024;
  const directory = await locateCentralDirectory(source);
  const cd = await readExactly(source, directory.offset, directory.size, "central directory");
  const entries = parseCentralDirectory(cd, directory.count);
  return { entries, open: (entry) => openEntry(source, entry, chunkSize) };
}

interface DirectoryLocation {
  offset: number;
  size: number;
  count: number;
}

/** The end-of-central-directory record sits in the last 22 + 65535 bytes (git puts the commit id in the comment). */
async function locateCentralDirectory(source: RandomAccessSource): Promise<DirectoryLocation> {
  if (source.size < EOCD_MIN) throw new Error(`archive: ${source.size} bytes is too short to be a zip`);
  const tailLength = Math.min(source.size, EOCD_MIN + MAX_COMMENT);
  const tailOffset = source.size - tailLength;
  const tail = await readExactly(source, tailOffset, tailLength, "end of archive");
  const view = dataView(tail);
  for (let i = tail.length - EOCD_MIN; i >= 0; i--) {
    if (view.getUint32(i, true) !== EOCD_SIG) continue;
    const commentLength = view.getUint16(i + 20, true);
    if (i + EOCD_MIN + commentLength !== tail.length) continue;
    let count = view.getUint16(i + 10, true);
    let size = view.getUint32(i + 12, true);
    let offset = view.getUint32(i + 16, true);
    // Zip64: git writes it past 65535 entries or 4 GiB; the 32-bit fields then hold all-ones.
    if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
      ({ count, size, offset } = await readZip64End(source, tailOffset + i));
    }
    return { offset, size, count };
  }
  throw new Error("archive: no end of central directory record; not a zip (GitLab may have sent an error page)");
}

async function readZip64End(source: RandomAccessSource, eocdOffset: number): Promise<DirectoryLocation> {
  const locator = dataView(await readExactly(source, eocdOffset - 20, 20, "zip64 locator"));
  if (locator.getUint32(0, true) !== ZIP64_LOCATOR_SIG) throw new Error("archive: zip64 fields without a zip64 locator");
  const end = dataView(await readExactly(source, u64(locator, 8), 56, "zip64 end record"));
  if (end.getUint32(0, true) !== ZIP64_EOCD_SIG) throw new Error("archive: bad zip64 end of central directory record");
  return { count: u64(end, 32), size: u64(end, 40), offset: u64(end, 48) };
}

function parseCentralDirectory(cd: Uint8Array, count: number): ArchiveEntry[] {
  const view = dataView(cd);
  const decoder = new TextDecoder();
  const entries: ArchiveEntry[] = [];
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > cd.length || view.getUint32(at, true) !== CENTRAL_SIG) throw new Error(`archive: central directory entry ${n} is damaged`);
    const creator = view.getUint16(at + 4, true) >> 8;
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc32 = view.getUint32(at + 16, true);
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const externalAttrs = view.getUint32(at + 38, true);
    let localHeaderOffset = view.getUint32(at + 42, true);
    const name = decoder.decode(cd.subarray(at + 46, at + 46 + nameLength));
    const extra = cd.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    if (size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      ({ size, compressedSize, localHeaderOffset } = applyZip64Extra(extra, { size, compressedSize, localHeaderOffset }, name));
    }
    if (flags & FLAG_ENCRYPTED) throw new Error(`archive: ${name} is encrypted`);
    const unixMode = creator === CREATOR_UNIX ? externalAttrs >>> 16 : undefined;
    entries.push({
      name,
      isDirectory: name.endsWith("/"),
      isSymlink: unixMode !== undefined && (unixMode & S_IFMT) === S_IFLNK,
      unixMode: unixMode === 0 ? undefined : unixMode,
      method,
      compressedSize,
      size,
      crc32,
      localHeaderOffset,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Zip64 extended information (header 0x0001): the 64-bit values, in this order, for the fields that overflowed. */
function applyZip64Extra(
  extra: Uint8Array,
  fields: { size: number; compressedSize: number; localHeaderOffset: number },
  name: string,
): { size: number; compressedSize: number; localHeaderOffset: number } {
  const view = dataView(extra);
  for (let at = 0; at + 4 <= extra.length;) {
    const id = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (id === 0x0001) {
      let p = at + 4;
      const out = { ...fields };
      if (out.size === 0xffffffff) ((out.size = u64(view, p)), (p += 8));
      if (out.compressedSize === 0xffffffff) ((out.compressedSize = u64(view, p)), (p += 8));
      if (out.localHeaderOffset === 0xffffffff) out.localHeaderOffset = u64(view, p);
      return out;
    }
    at += 4 + length;
  }
  throw new Error(`archive: ${name} has 32-bit overflow fields but no zip64 extra field`);
}

function openEntry(source: RandomAccessSource, entry: ArchiveEntry, chunkSize: number): ReadableStream<Uint8Array> {
  if (entry.method !== 0 && entry.method !== 8) {
    throw new Error(`archive: ${entry.name} uses compression method ${entry.method}; only stored and deflate are supported`);
  }
  if (entry.size <= ONE_CALL_BYTES && entry.compressedSize <= ONE_CALL_BYTES) return openSmallEntry(source, entry);
  let crc = 0;
  let produced = 0;
  let stopped = false;
  let wakeFeeder: (() => void) | undefined;
  const wake = (): void => {
    const w = wakeFeeder;
    wakeFeeder = undefined;
    w?.();
  };
  // Stored entries pass through an identity transform, so both methods take the same path.
  const transform: TransformStream<Uint8Array, Uint8Array> = entry.method === 8 ? inflateRaw() : new TransformStream();
  const input = transform.writable.getWriter();
  const output = transform.readable.getReader();

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const fail = (error: unknown): void => {
          if (stopped) return;
          stopped = true;
          controller.error(entryError(entry.name, error));
          void input.abort(error).catch(() => {});
          void output.cancel(error).catch(() => {});
          wake();
        };
        // Feeds the stored bytes in only while the reader wants more: Node's DecompressionStream
        // queues all it inflates without backpressure (its readable side counts 16384 chunks, not
        // bytes), so a pipe would inflate the whole entry into memory ahead of a slow reader.
        const feed = async (): Promise<void> => {
          // The local header's name and extra lengths may differ from the central directory's.
          const header = dataView(await readExactly(source, entry.localHeaderOffset, 30, `local header of ${entry.name}`));
          if (header.getUint32(0, true) !== LOCAL_SIG) throw new Error(`archive: ${entry.name} has no local header at its offset`);
          let position = entry.localHeaderOffset + 30 + header.getUint16(26, true) + header.getUint16(28, true);
          const end = position + entry.compressedSize;
          while (position < end) {
            while (!stopped && (controller.desiredSize ?? 0) <= 0) await new Promise<void>((resolve) => (wakeFeeder = resolve));
            if (stopped) return;
            const length = Math.min(chunkSize, end - position);
            const bytes = await readExactly(source, position, length, entry.name);
            position += length;
            await input.write(bytes);
          }
          await input.close();
        };
        // Hands on what comes out as it comes, checking it against the central directory.
        const drain = async (): Promise<void> => {
          for (;;) {
            const { value, done } = await output.read();
            if (stopped) return;
            if (done) break;
            produced += value.length;
            // More than the directory says is already wrong: stop before inflating a zip bomb further.
            if (produced > entry.size) throw new Error(`archive: ${entry.name} inflates past the ${entry.size} bytes the directory says`);
            crc = updateCrc32(crc, value);
            controller.enqueue(value);
          }
          if (produced !== entry.size) throw new Error(`archive: ${entry.name} inflated to ${produced} bytes, the directory says ${entry.size}`);
          if (crc !== entry.crc32) throw new Error(`archive: ${entry.name} fails its CRC-32 check (damaged or truncated archive)`);
          stopped = true;
          controller.close();
        };
        feed().catch(fail);
        drain().catch(fail);
      },
      pull() {
        wake();
      },
      cancel(reason) {
        stopped = true;
        void input.abort(reason).catch(() => {});
        void output.cancel(reason).catch(() => {});
        wake();
      },
    },
    // Inflated bytes held for the reader before feeding pauses: what one entry costs in memory.
    { highWaterMark: chunkSize, size: (chunk) => chunk.byteLength },
  );
}

/**
 * A small entry (most files of a module): its stored bytes read in one piece and inflated in one
 * call (raw-deflate.ts), with the same checks as a streamed one — what the directory says of its
 * size and CRC-32 — and the same errors.
 */
function openSmallEntry(source: RandomAccessSource, entry: ArchiveEntry): ReadableStream<Uint8Array> {
  let stopped = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const read = async (): Promise<void> => {
        const header = dataView(await readExactly(source, entry.localHeaderOffset, 30, `local header of ${entry.name}`));
        if (header.getUint32(0, true) !== LOCAL_SIG) throw new Error(`archive: ${entry.name} has no local header at its offset`);
        const position = entry.localHeaderOffset + 30 + header.getUint16(26, true) + header.getUint16(28, true);
        const stored = entry.compressedSize === 0 ? new Uint8Array(0) : await readExactly(source, position, entry.compressedSize, entry.name);
        let data: Uint8Array;
        try {
          data = entry.method === 8 ? inflateRawBytes(stored, entry.size) : stored;
        } catch (error) {
          if (error instanceof RangeError) throw new Error(`archive: ${entry.name} inflates past the ${entry.size} bytes the directory says`);
          throw error;
        }
        if (data.length > entry.size) throw new Error(`archive: ${entry.name} inflates past the ${entry.size} bytes the directory says`);
        if (data.length !== entry.size) throw new Error(`archive: ${entry.name} inflated to ${data.length} bytes, the directory says ${entry.size}`);
        if (updateCrc32(0, data) !== entry.crc32) throw new Error(`archive: ${entry.name} fails its CRC-32 check (damaged or truncated archive)`);
        if (stopped) return;
        stopped = true;
        if (data.length > 0) controller.enqueue(data);
        controller.close();
      };
      read().catch((error: unknown) => {
        if (stopped) return;
        stopped = true;
        controller.error(entryError(entry.name, error));
      });
    },
    cancel() {
      stopped = true;
    },
  });
}

/** The platform's inflate names no entry ("incorrect header check", ...): say which one it was. */
function entryError(name: string, error: unknown): Error {
  if (error instanceof Error && error.message.startsWith("archive: ")) return error;
  return new Error(`archive: ${name} cannot be inflated (damaged archive): ${error instanceof Error ? error.message : String(error)}`);
}

async function readExactly(source: RandomAccessSource, offset: number, length: number, what: string): Promise<Uint8Array> {
  const bytes = await source.read(offset, length);
  if (bytes.length !== length) throw new Error(`archive: short read of ${what} (${bytes.length} of ${length} bytes at ${offset})`);
  return bytes;
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Little-endian 64-bit as a JS number: exact below 2^53, far beyond any archive modgate reads. */
function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

/** A source over bytes in memory (tests, small archives). */
export function bytesSource(bytes: Uint8Array): RandomAccessSource {
  return {
    size: bytes.length,
    async read(offset, length) {
      return bytes.subarray(offset, Math.min(offset + length, bytes.length));
    },
  };
}
