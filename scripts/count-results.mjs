// Sums vitest JSON reports (test-results/*.json) into the line CI reads:
// "N passed, N failed". A missing or empty report counts as a failure, so a
// run that executed nothing can never look green.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? "test-results";
let passed = 0;
let failed = 0;
let reports = 0;
let files = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith(".json"));
} catch {
  // no reports at all: counted below
}
for (const file of files) {
  const report = JSON.parse(readFileSync(join(dir, file), "utf8"));
  reports++;
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  // A suite that failed to load has no tests: count it so it cannot hide.
  for (const suite of report.testResults ?? []) {
    if (suite.status === "failed" && (suite.assertionResults ?? []).length === 0) failed++;
  }
}
if (reports === 0 || passed + failed === 0) failed++;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
