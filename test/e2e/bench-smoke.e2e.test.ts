// `npm run bench:smoke`: the one-second run of the benchmark (scripts/bench/),
// so it cannot rot. It must finish, print its table with every scenario, and
// leave docs/ alone. Timings are never asserted: they are a report, not a test.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../scripts/bench/configs.js';
import { proxyScenarios } from '../../scripts/bench/proxy.js';
import { REPO_ROOT, run } from './harness/index.js';

const DOCS = ['docs/benchmarks.md', 'docs/benchmarks.svg'].map((f) => join(REPO_ROOT, f));
const contents = () => DOCS.map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined));

describe('npm run bench:smoke', () => {
  it('runs every part, prints a table naming each scenario, and does not touch docs/', { timeout: 300_000 }, async () => {
    const before = contents();
    const result = await run('npm', ['run', 'bench:smoke'], {
      cwd: REPO_ROOT,
      env: { ...process.env },
      timeoutMs: 280_000,
    });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const tableLines = result.stdout.split('\n').filter((line) => line.startsWith('|'));
    for (const scenario of [...SCENARIOS, ...proxyScenarios('v1.0.0')]) {
      expect(tableLines.some((line) => line.includes(`| ${scenario.name} `)), `no table row for "${scenario.name}":\n${result.stdout}`).toBe(true);
    }
    for (const section of ['Scenarios', 'Scale', 'Cluster', 'Memory', 'Workers', 'Module proxy, warm', 'Module proxy, cold download', 'Module proxy zips', 'Private zip, warm']) {
      expect(result.stdout).toContain(section);
    }
    // Both ways of downloading the long-history module, @latest included, each with its GitLab calls.
    expect(tableLines.some((line) => /^\| @latest \(v[\d.]+\) .*archive 1/.test(line)), result.stdout).toBe(true);
    expect(contents()).toEqual(before);
  });
});
