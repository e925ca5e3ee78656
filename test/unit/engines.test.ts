/**
 * package.json's `engines` must be true: every installed package (dependencies, dev dependencies
 * and theirs) accepts every Node version we claim to run on, and this Node is one of them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ours = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;

function installed(dir: string, found: Array<{ name: string; node: string }> = []) {
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (entry.startsWith('@')) { installed(path, found); continue; }
    const manifest = join(path, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; version: string; engines?: { node?: unknown } };
    if (typeof pkg.engines?.node === 'string') found.push({ name: `${pkg.name}@${pkg.version}`, node: pkg.engines.node });
    if (existsSync(join(path, 'node_modules'))) installed(join(path, 'node_modules'), found);
  }
  return found;
}

describe('engines', () => {
  it('claims only Node versions every installed package supports, this one included', () => {
    const packages = installed(join(ROOT, 'node_modules'));
    expect(packages.length).toBeGreaterThan(50);
    const disagree = packages.filter((p) => semver.validRange(p.node) && !semver.subset(ours, p.node));
    expect(disagree.map((p) => `${p.name} wants node ${p.node}`)).toEqual([]);
    expect(semver.satisfies(process.version, ours)).toBe(true);
  });
});
