import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { bytesFile, type ModuleFile } from '../../src/proxy/zip/file.js';
import { createModuleZip } from '../../src/proxy/zip/module-zip.js';
import { compareUtf8, hash1OfBytes } from '../../src/proxy/zip/dirhash.js';

const MOD = 'module example.com/m.git\n';

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

describe('h1 (dirhash.Hash1), vectors of module-proxy-rules.md §5 (computed by go and Python)', () => {
  it('go.mod sum', () => {
    expect(hash1OfBytes({ 'go.mod': MOD })).toBe('h1:H+A5oSNRO0pYE2LYIaKt3PIQVoFx+TQz0LoqkEl9I64=');
  });
  it('zip sum without a directory entry', () => {
    expect(
      hash1OfBytes({ 'example.com/m.git@v1.0.0/go.mod': MOD, 'example.com/m.git@v1.0.0/a.go': 'package m\n' }),
    ).toBe('h1:PKVvaPDHZC8u7um3eECuJ9tJvsWCyejZQQB69O59RQw=');
  });
  it('a directory entry changes it', () => {
    expect(
      hash1OfBytes({
        'example.com/m.git@v1.0.0/go.mod': MOD,
        'example.com/m.git@v1.0.0/a.go': 'package m\n',
        'example.com/m.git@v1.0.0/': '',
      }),
    ).toBe('h1:xDO/17gq+xuDv3dLNaz5POsdBdkPRexlHFzmVa2+2fU=');
  });
  it('names sort by UTF-8 bytes, not UTF-16 units', () => {
    // U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16 (FF21 > D83D).
    expect(compareUtf8('\uFF21', '\u{1F600}')).toBeLessThan(0);
    expect('\uFF21' < '\u{1F600}').toBe(false);
  });
  it('refuses a name with a newline', () => {
    expect(() => hash1OfBytes({ 'a\nb': '' })).toThrow(/newline/);
  });
});

describe('createModuleZip', () => {
  it('writes the files under module@version/, no directory entries, and the h1 of §5', async () => {
    const zip = createModuleZip({
      modulePath: 'example.com/m.git',
      version: 'v1.0.0',
      files: [bytesFile('go.mod', MOD), bytesFile('a.go', 'package m\n')],
    });
    const bytes = await readAll(zip.stream);
    const summary = await zip.done;
    expect(summary).toEqual({ h1: 'h1:PKVvaPDHZC8u7um3eECuJ9tJvsWCyejZQQB69O59RQw=', fileCount: 2, size: bytes.length });
    const entries = unzipSync(bytes);
    expect(Object.keys(entries)).toEqual(['example.com/m.git@v1.0.0/go.mod', 'example.com/m.git@v1.0.0/a.go']);
    expect(new TextDecoder().decode(entries['example.com/m.git@v1.0.0/a.go'])).toBe('package m\n');
  });

  it('flags non-ASCII names as UTF-8 (general purpose bit 11)', async () => {
    const zip = createModuleZip({ modulePath: 'example.com/m', version: 'v1.0.0', files: [bytesFile('é.go', 'x')] });
    const bytes = await readAll(zip.stream);
    await zip.done;
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(0, true)).toBe(0x04034b50);
    expect(view.getUint16(6, true) & 0x800).toBe(0x800);
  });

  it('fails when a file yields other than its declared size', async () => {
    const liar: ModuleFile = { ...bytesFile('a.go', 'package m\n'), size: 3 };
    const zip = createModuleZip({ modulePath: 'example.com/m', version: 'v1.0.0', files: [liar] });
    await expect(readAll(zip.stream)).rejects.toThrow(/more than the 3 bytes/);
    await expect(zip.done).rejects.toThrow(/a.go/);
  });

  it('refuses symlinks and duplicate paths (callers pass checkFiles(...).valid)', async () => {
    const link = createModuleZip({ modulePath: 'example.com/m', version: 'v1.0.0', files: [bytesFile('l', 'x', 'symlink')] });
    await expect(readAll(link.stream)).rejects.toThrow(/symlink, not a regular file/);
    const dup = createModuleZip({ modulePath: 'example.com/m', version: 'v1.0.0', files: [bytesFile('a', 'x'), bytesFile('a', 'y')] });
    await expect(readAll(dup.stream)).rejects.toThrow(/listed twice/);
  });

  it('produces only as fast as it is read (bounded memory): an unread stream stops pulling the file (compressible input may run ahead: its output is small)', async () => {
    let pulled = 0;
    const size = 64 << 20;
    const file: ModuleFile = {
      path: 'big',
      kind: 'file',
      size,
      async open() {
        return new ReadableStream<Uint8Array>({
          pull(controller) {
            // Incompressible bytes, so the zip grows as fast as the file is read.
            const chunk = crypto.getRandomValues(new Uint8Array(Math.min(64 << 10, size - pulled)));
            pulled += chunk.length;
            controller.enqueue(chunk);
            if (pulled >= size) controller.close();
          },
        });
      },
    };
    const zip = createModuleZip({ modulePath: 'example.com/m', version: 'v1.0.0', files: [file] });
    const reader = zip.stream.getReader();
    await reader.read();
    // Give the producer every chance to run ahead; it must stop at the stream's high-water mark.
    for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 1));
    expect(pulled).toBeLessThan(8 << 20);
    await reader.cancel();
    await expect(zip.done).rejects.toThrow(/cancelled/);
  });
});

describe('small files are deflated in one call', () => {
  /** The first entry's deflated bytes, found through the central directory (no zip comment). */
  function firstEntryData(zip: Uint8Array): Uint8Array {
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    const cd = view.getUint32(zip.length - 22 + 16, true);
    const compressed = view.getUint32(cd + 20, true);
    const start = 30 + view.getUint16(26, true) + view.getUint16(28, true);
    return zip.subarray(start, start + compressed);
  }

  for (const size of [0, 1, 1600, 200_000]) {
    it(`a ${size}-byte file: the bytes a CompressionStream makes (zlib level 6), and the file back`, async () => {
      const content = new TextEncoder().encode('package m // filler\n'.repeat(Math.ceil(size / 20)).slice(0, size));
      const zip = createModuleZip({ modulePath: 'example.com/m', version: 'v1.0.0', files: [bytesFile('a.go', content)] });
      const bytes = await readAll(zip.stream);
      await zip.done;
      const streamed = await readAll(new Blob([content]).stream().pipeThrough(new CompressionStream('deflate-raw')));
      expect(Buffer.from(firstEntryData(bytes)).equals(Buffer.from(streamed))).toBe(true);
      expect(Buffer.from(unzipSync(bytes)['example.com/m@v1.0.0/a.go']!).equals(Buffer.from(content))).toBe(true);
    });
  }
});
