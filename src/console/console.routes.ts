/**
 * The agent console's pages: `/` and `/console` answer with the one page; its scripts, styles and
 * the socket.io browser client and Chart.js (straight from node_modules, so there is no build step) are static
 * files. A strict Content-Security-Policy keeps mail HTML shown in the page from running or
 * loading anything: only our own scripts, styles, images and socket run.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type RequestHandler } from 'express';

export const CONSOLE_PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const nodeRequire = createRequire(import.meta.url);
const SOCKET_CLIENT = path.join(path.dirname(nodeRequire.resolve('socket.io-client/package.json')), 'dist', 'socket.io.esm.min.js');
/**
 * Chart.js's self-contained UMD bundle (its ESM build imports a bare specifier a browser cannot resolve
 * without a build). Found on first request, so a checkout whose node_modules predates the dependency
 * still starts (only the reports' charts are missing until `npm ci`).
 */
let chartJs: string | undefined;
const chartJsPath = () => (chartJs ??= path.join(path.dirname(nodeRequire.resolve('chart.js')), 'chart.umd.min.js'));

const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
].join('; ');

const headers: RequestHandler = (_req, res, next) => {
  res.set({
    'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY',
  });
  next();
};

export function consoleRoutes(): Router {
  const router = Router();
  const page: RequestHandler = (_req, res) => { res.set('cache-control', 'no-store').sendFile(path.join(CONSOLE_PUBLIC_DIR, 'index.html')); };
  router.get(['/', '/console', '/console/'], headers, page);
  router.get('/console/vendor/socket.io.esm.min.js', headers, (_req, res) => { res.type('text/javascript').sendFile(SOCKET_CLIENT); });
  router.get('/console/vendor/chart.umd.min.js', headers, (_req, res) => { res.type('text/javascript').sendFile(chartJsPath()); });
  router.use('/console/assets', headers, express.static(CONSOLE_PUBLIC_DIR, { index: false, fallthrough: true, maxAge: 0 }));
  return router;
}
