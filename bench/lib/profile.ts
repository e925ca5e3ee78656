/**
 * Reads the gateway's `node --cpu-prof` profiles and says where its time went: self time per
 * function and per module (a dependency's package name, or the project file).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

function moduleOf(url: string, root: string): string {
  if (!url) return '(native, gc)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (path.startsWith('node:')) return path;
  return path.startsWith(root) ? path.slice(root.length) : path;
}

export function summarizeProfiles(dir: string, root: string, top = 12): string[] {
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id)!;
      const us = profile.timeDeltas[i] ?? 0;
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(idle)' || functionName === '(program)') return;
      total += us;
      const mod = moduleOf(url, root);
      const fn = `${functionName || '(anonymous)'} (${mod}${url ? `:${lineNumber + 1}` : ''})`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
      byModule.set(mod, (byModule.get(mod) ?? 0) + us);
    });
  }
  if (!total) return ['(no profile was written)'];
  const list = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, us]) => `| ${name.replace(/\|/g, '\\|')} | ${Math.round(us / 1000)} | ${((us / total) * 100).toFixed(1)}% |`);
  return [
    `Busy CPU time sampled: ${Math.round(total / 1000)} ms over every gateway process and worker thread of the run, start-up (module loading through tsx) included.`, '',
    '| Module | Self ms | Share |', '|---|---:|---:|', ...list(byModule), '',
    '| Function | Self ms | Share |', '|---|---:|---:|', ...list(byFunction),
  ];
}
