// A version's zip from its files: x/mod/zip.Create's two steps, checkFiles
// (sort every file into valid, omitted, invalid) then the writer, streamed.
// The content (a spooled archive) is released once the zip is read or fails.
import { checkFiles, checkedFilesError } from "../zip/check-files.js";
import { createModuleZip, type ModuleZip } from "../zip/module-zip.js";
import { goDirective } from "../../module/modfile.js";
import type { ZipContent } from "./code-host.js";
import { NotExistError } from "../../module/errors.js";

export function zipOf(modulePath: string, version: string, gomod: Uint8Array, content: ZipContent): ModuleZip {
  let zip: ModuleZip;
  try {
    const checked = checkFiles(content.files, { goVersion: goDirective(new TextDecoder().decode(gomod)) || undefined });
    const problem = checkedFilesError(checked);
    if (problem) throw new NotExistError(`${modulePath}@${version}: create zip: ${problem}`);
    zip = createModuleZip({ modulePath, version, files: checked.valid });
  } catch (err) {
    void content.dispose();
    throw err;
  }
  const done = zip.done.finally(() => content.dispose());
  done.catch(() => {});
  return { stream: zip.stream, done };
}
