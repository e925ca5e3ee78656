/** Debian Chromium for the browser tests, and an agent console session in it (sign-in, page errors, clean-up). */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** True when Debian's Chromium is installed on this machine. */
export const chromiumAvailable = (): boolean => existsSync(CHROMIUM);

/**
 * Headless Chromium that stays on the loopback. The test machines have a closed network: without
 * --disable-background-networking, --disable-component-update and --disable-sync Chromium keeps
 * opening connections of its own (updates, sync, safe browsing) that are refused; QUIC is off for
 * the same reason. --no-sandbox: Chromium's sandbox refuses to start as root, which the tests may be.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface SignInOptions {
  /** Merged over `{ locale: 'en-GB' }`, e.g. another locale, a time zone or a viewport. */
  context?: BrowserContextOptions;
  /** A selector the page must show before signIn resolves, e.g. `.live.on` (the live feed connected). */
  waitFor?: string;
}

export interface ConsoleSession {
  /** Opens the console in a fresh context (own cookies) and submits the sign-in form; resolves with the page. */
  signIn(email: string, password: string, options?: SignInOptions): Promise<Page>;
  /** Every uncaught error thrown in any page of this session (a live array). */
  readonly pageErrors: string[];
  /** Closes every context this session opened (not the browser). */
  close(): Promise<void>;
}

/** Agents signing in to the console at `base` in `browser`, each in a context of their own. */
export function consoleSession(browser: Browser, base: string): ConsoleSession {
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  return {
    pageErrors,
    async signIn(email, password, options = {}) {
      const context = await browser.newContext({ locale: 'en-GB', ...options.context });
      contexts.push(context);
      // Nothing leaves the machine: only the gateway answers.
      await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(err.message));
      await page.goto(`${base}/`);
      await page.getByLabel(/Email address|Alamat email/).fill(email);
      await page.getByLabel(/^(Password|Kata sandi)$/).fill(password);
      await page.getByRole('button', { name: /^(Sign in|Masuk)$/ }).click();
      if (options.waitFor) await page.locator(options.waitFor).waitFor();
      return page;
    },
    async close() {
      for (const c of contexts.splice(0)) await c.close().catch(() => {});
    },
  };
}
