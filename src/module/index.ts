// golang.org/x/mod, the parts a module proxy needs, as pure functions (no I/O,
// Web APIs and node:crypto's SHA-256, which workerd has with nodejs_compat).
// See README.md for the error convention: functions that Go declares as
// returning an error throw ModuleError with the go command's text.
export { ModuleError, versionError, invalidVersion, type InvalidVersion } from "./errors.js";
export { isValid, canonical, compare, major, majorMinor, prerelease, build, sort, max, compareBytes } from "./semver.js";
export {
  checkPath,
  checkImportPath,
  checkFilePath,
  isValidPath,
  isValidFilePath,
  splitPathVersion,
  type SplitPath,
  checkPathMajor,
  matchPathMajor,
  pathMajorPrefix,
  isMajor,
  canonicalVersion,
  check,
} from "./path.js";
export { escapePath, unescapePath, escapeVersion, unescapeVersion } from "./escape.js";
export {
  isPseudoVersion,
  pseudoVersion,
  zeroPseudoVersion,
  isZeroPseudoVersion,
  pseudoVersionBase,
  pseudoVersionRev,
  pseudoVersionTime,
} from "./pseudo.js";
export { modulePath, goDirective, retractions, parseLax, legacyGoMod, type LaxGoMod, type Retraction } from "./modfile.js";
export { autoQuote, mustQuote, unquote } from "./quote.js";
export { goVersionCompare, goVersionLang, goVersionIsValid, compareGoVersions } from "./gover.js";
export { hash1, goModHash, sha256Stream, type HashedFile, type Sha256Stream } from "./dirhash.js";
