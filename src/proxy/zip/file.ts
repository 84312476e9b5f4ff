/**
 * One file offered for a module zip, after x/mod/zip's File interface
 * (golang.org/x/mod/zip: Path, Lstat, Open). The GitLab side builds these from the tree
 * listing (blob ids, modes) and the archive or raw blobs; tests build them from bytes.
 *
 * - `path` is slash-separated and relative to the module root (what follows
 *   `<module>@<version>/` in the zip), exactly as the go command would see it.
 * - `kind` says what git stored: a regular file (100644/100755), a symlink (120000),
 *   a submodule gitlink (160000) or anything else. Only regular files go in a zip;
 *   the others still take part in the name and collision checks (x/mod/zip checks
 *   collisions before it drops symlinks).
 * - `size` is the size of the content `open()` yields (after .gitattributes conversion);
 *   x/mod/zip applies its size limits to it before reading anything.
 * - `open()` is called at most once per zip build, and only for regular files that are kept.
 */
export type FileKind = "file" | "symlink" | "submodule" | "other";

export interface ModuleFile {
  path: string;
  kind: FileKind;
  size: number;
  open(): Promise<ReadableStream<Uint8Array>>;
}

/** A ModuleFile over bytes already in memory (tests, small files such as a synthesized LICENSE). */
export function bytesFile(path: string, content: Uint8Array | string, kind: FileKind = "file"): ModuleFile {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  return {
    path,
    kind,
    size: bytes.length,
    async open() {
      return new ReadableStream<Uint8Array>({
        start(controller) {
          if (bytes.length > 0) controller.enqueue(bytes);
          controller.close();
        },
      });
    },
  };
}
