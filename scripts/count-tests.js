#!/usr/bin/env node
// Reads vitest's JSON report and prints how many tests ran, and how many of them ran on
// PostgreSQL (their names carry "[postgres]"). Fails when DATABASE_URL is set but none did.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.test-results/results.json';
const report = JSON.parse(readFileSync(file, 'utf8'));
const tally = { passed: 0, failed: 0, skipped: 0 };
const pg = { passed: 0, failed: 0, skipped: 0 };
for (const suite of report.testResults) {
  for (const t of suite.assertionResults) {
    const key = t.status === 'passed' ? 'passed' : t.status === 'failed' ? 'failed' : 'skipped';
    tally[key] += 1;
    if (t.fullName.includes('[postgres]')) pg[key] += 1;
  }
}
console.log(`PostgreSQL tests: ${pg.passed} passed, ${pg.failed} failed, ${pg.skipped} skipped`);
console.log(`tests: ${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
if (process.env.DATABASE_URL && pg.passed === 0) {
  console.error('ci: DATABASE_URL was set but no PostgreSQL test ran');
  process.exit(1);
}
if (tally.failed > 0) process.exit(1);
