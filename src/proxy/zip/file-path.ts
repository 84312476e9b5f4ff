/**
 * x/mod/module.CheckFilePath for the zip library, in its shape: the error text
 * (`malformed file path "p": <reason>`, as x/mod/zip reports it) or undefined.
 * The rules themselves live once, in src/module/path.ts.
 */
import { checkFilePath as check } from "../../module/path.js";

export { goQuote } from "../../module/errors.js";

export function checkFilePath(path: string): string | undefined {
  try {
    check(path);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
