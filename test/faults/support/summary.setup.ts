/** Global setup of the fault suite: a directory for the scenarios' rows, and the table at the end. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { formatTable, readRows } from './summary.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    faultSummaryDir: string;
  }
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'fault-summary-'));
  project.provide('faultSummaryDir', dir);
  return () => {
    const rows = readRows(dir);
    process.stdout.write(`\n== Fault suite summary (${rows.length} row(s): one per scenario and channel)\n${formatTable(rows)}\n\n`);
    rmSync(dir, { recursive: true, force: true });
  };
}
