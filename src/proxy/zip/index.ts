/**
 * The module zip library: what the go command puts in a module zip, computed without git or go.
 * Runtime-agnostic (Web APIs: deflate is CompressionStream; node:crypto for incremental SHA-256 and SHA-1 and node:zlib for CRC-32, which workerd has with nodejs_compat). The GitLab side (tree listing, archive,
 * raw blobs) feeds it; see each file for the git or x/mod source it follows.
 */
export { bytesFile, type FileKind, type ModuleFile } from './file.js';
export {
  checkFiles,
  checkedFilesError,
  MAX_GO_MOD,
  MAX_LICENSE,
  MAX_ZIP_FILE,
  type CheckableFile,
  type CheckedFiles,
  type CheckFilesOptions,
  type FileProblem,
} from './check-files.js';
export { goVersionOfGoMod } from './go-version.js';
export { checkFilePath } from './file-path.js';
export { GitAttributes, type AttrValue, type GitattributesFile, type PathAttributes } from './gitattributes.js';
export { mayConvert, toWorkingTree } from './convert.js';
export { blobId, BlobIdHasher } from './blob-id.js';
export { bytesSource, openArchive, type ArchiveEntry, type ArchiveReader, type ArchiveReaderOptions, type RandomAccessSource } from './archive-reader.js';
export { createModuleZip, type ModuleZip, type ModuleZipInput, type ModuleZipSummary } from './module-zip.js';
export { hash1, hash1OfBytes, type FileDigest } from './dirhash.js';
