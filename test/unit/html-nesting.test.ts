/** The guard that keeps quadratic HTML parsing away from crafted deep nesting. */
import { describe, expect, it } from 'vitest';
import { MAX_HTML_NESTING, nestsDeeperThan } from '../../channels/email/body/html-nesting.ts';

describe('nestsDeeperThan', () => {
  it('counts open elements', () => {
    expect(nestsDeeperThan('<div><div><div>x</div></div></div>', 3)).toBe(false);
    expect(nestsDeeperThan('<div><div><div><div>x', 3)).toBe(true);
  });

  it('closes down to the matching element and ignores stray end tags', () => {
    expect(nestsDeeperThan('<div><b><i>x</div><div><b><i>y</div>', 3)).toBe(false);
    expect(nestsDeeperThan('</span></p>'.repeat(10) + '<div>x</div>', 1)).toBe(false);
  });

  it('does not count void elements, implied-end elements or comments', () => {
    expect(nestsDeeperThan('<div>' + '<br><img src=x><p>para<li>item<td>cell'.repeat(1000) + '<!-- <div><div><div> --></div>', 2)).toBe(false);
  });

  it('passes a real newsletter layout', () => {
    const layout = '<table><tr><td>'.repeat(20) + 'x' + '</td></tr></table>'.repeat(20);
    expect(nestsDeeperThan(layout)).toBe(false);
  });

  it('stops crafted nesting in linear time', () => {
    const started = performance.now();
    expect(nestsDeeperThan('<b>'.repeat(300_000))).toBe(true);
    expect(nestsDeeperThan('<a<a<a'.repeat(100_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(MAX_HTML_NESTING).toBeGreaterThanOrEqual(100);
  });
});
