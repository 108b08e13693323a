/**
 * Prints the plain `N passed, N failed` line CI reads (../shared/tooling.md: CI does not read
 * jest's own summary), from the JSON report `jest --json --outputFile=...` wrote.
 * A suite that failed to load counts as one failure, so a broken import never reads as green.
 */
import { readFileSync } from 'node:fs';

interface JestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numRuntimeErrorTestSuites: number;
  testResults: Array<{ name: string; status: string; message: string }>;
}

const file = process.argv[2];
if (!file) {
  console.error('usage: jest-summary.ts REPORT.json');
  process.exit(2);
}
let report: JestReport;
try {
  report = JSON.parse(readFileSync(file, 'utf8')) as JestReport;
} catch (err) {
  console.log('0 passed, 1 failed');
  console.error(`no jest report at ${file}: ${(err as Error).message}`);
  process.exit(1);
}
const failed = report.numFailedTests + report.numRuntimeErrorTestSuites;
for (const r of report.testResults) {
  if (r.status === 'failed' && r.message) console.error(`FAILED ${r.name}`);
}
const skipped = report.numPendingTests > 0 ? `, ${report.numPendingTests} skipped` : '';
console.log(`${report.numPassedTests} passed, ${failed} failed${skipped}`);
process.exit(failed > 0 || report.numPassedTests === 0 ? 1 : 0);
