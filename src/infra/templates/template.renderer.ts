/**
 * Renders customer-facing messages from `templates/<kind>/<locale>.<part>.mustache` (a kind may be
 * `<folder>/<name>`, e.g. `status/resolved`), where part is
 * subject, text or html. Mustache escapes every value in the HTML part; the text and subject parts
 * are rendered without HTML escaping. A missing locale falls back to English.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Mustache from 'mustache';
import type { Locale, RenderedMessage, TemplateRenderer } from '../../core/index.ts';

const PARTS = ['subject', 'text', 'html'] as const;

export class FileTemplateRenderer implements TemplateRenderer {
  private readonly cache = new Map<string, string>();

  constructor(private readonly root: string) {}

  async render(kind: string, locale: Locale, vars: Record<string, unknown>): Promise<RenderedMessage> {
    const [subject, text, html] = await Promise.all(PARTS.map(async (part) => {
      const template = await this.load(kind, locale, part);
      const raw = part !== 'html';
      return raw ? Mustache.render(template, vars, {}, { escape: (v: unknown) => String(v) }) : Mustache.render(template, vars);
    }));
    return { subject: subject!.replace(/\s+/g, ' ').trim(), text: text!, html: html! };
  }

  private async load(kind: string, locale: Locale, part: string): Promise<string> {
    // A kind is a folder, or a folder in a folder (`status/resolved`): never a path out of the root.
    if (!/^[a-z-]+(\/[a-z-]+)?$/.test(kind)) throw new Error(`bad template kind ${kind}`);
    const key = `${kind}/${locale}.${part}`;
    let template = this.cache.get(key);
    if (template === undefined) {
      try {
        template = await readFile(join(this.root, kind, `${locale}.${part}.mustache`), 'utf8');
      } catch (err) {
        if (locale === 'en') throw err;
        return this.load(kind, 'en', part);
      }
      this.cache.set(key, template);
    }
    return template;
  }
}
