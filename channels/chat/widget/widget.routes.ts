/**
 * The widget's HTTP surface: `/widget.js` (the embeddable script), the socket.io browser client it
 * loads (the copy in node_modules, so the host page needs nothing else), and `/chat/demo`, a page
 * that embeds the widget. The demo exists only when a demo site key is configured: a production
 * gateway serves no page that anyone could chat from under a key it did not choose.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router, type Response } from 'express';
import { demoPage } from './demo.page.ts';

export interface WidgetRoutesOptions {
  /** Site key the demo page embeds the widget with; unset: no demo page. */
  demoSiteKey?: string | undefined;
}

const here = dirname(new URL(import.meta.url).pathname);
// socket.io-client's exports map hides dist/*.min.js; its package.json is exported and sits beside dist/.
const clientDir = join(dirname(createRequire(import.meta.url).resolve('socket.io-client/package.json')), 'dist');

/** Read once at start: both files are part of the installed gateway and never change while it runs. */
const files = {
  widget: readFileSync(join(here, 'widget.js')),
  client: readFileSync(join(clientDir, 'socket.io.min.js')),
};

function script(res: Response, body: Buffer): void {
  // Any site may load the widget (the site key and its allowed origins decide who may chat).
  res.set({
    'Content-Type': 'text/javascript; charset=utf-8',
    'Cache-Control': 'public, max-age=300',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'X-Content-Type-Options': 'nosniff',
  }).send(body);
}

export function widgetRoutes(options: WidgetRoutesOptions): Router {
  const router = Router();
  router.get('/widget.js', (_req, res) => script(res, files.widget));
  router.get('/widget/socket.io.min.js', (_req, res) => script(res, files.client));
  router.get('/chat/demo', (req, res) => {
    if (!options.demoSiteKey) {
      res.status(404).json({ error: 'not_found', message: 'the chat demo is off (set CHAT_DEMO_SITE_KEY)' });
      return;
    }
    const lang = req.query.lang === 'id' ? 'id' : 'en';
    res.set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).send(demoPage(options.demoSiteKey, lang));
  });
  return router;
}
