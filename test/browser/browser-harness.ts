import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Clock } from '../../src/application/ports/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { type RunningService, startService } from '../../src/main.ts';
import { codeAt } from '../support/totp-codes.ts';
import { type Lang, switchTo, wordingOf } from './wording.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const apiKey = 'browser-platform-key-0123456789abcdef0123456789';

/** Where the browser tests leave their screenshots (created when a harness starts). */
export const screenshots = join(root, 'test-output/screenshots');

/** Whether Chromium is missing; when it is, prints that `tests` are skipped and why. */
export const chromiumMissing = (tests: string): boolean => {
  if (existsSync(chromiumPath)) return false;
  console.warn(`${tests} skipped: ${chromiumPath} is missing (install it with: apt-get install -y chromium)`);
  return true;
};

export type HarnessOptions = {
  /** Names the temporary data directory. */
  name: string;
  /** Every user's password. */
  password?: string;
  /** Settings on top of the harness's own; a function when they are known only once earlier hooks ran. */
  config?: Record<string, string> | (() => Record<string, string>);
  /** The service's clock (the system's unless set); the API enrolments take their codes from it too. */
  clock?: Clock;
};

/**
 * The service on a temporary data directory and one Chromium, for the `describe` it is called in: started
 * before its tests, stopped after them. Each test's browser contexts are closed after it, and the page
 * errors any of them met fail the file.
 */
export const browserHarness = (options: HarnessOptions) => {
  const password = options.password ?? 'correct horse battery staple';
  const now = () => (options.clock ?? { now: () => new Date() }).now().getTime();
  let service: RunningService | undefined;
  let browser: Browser | undefined;
  let dataDir = '';
  let contexts: BrowserContext[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(root, 'web/dist/index.html')))
      execFileSync(process.execPath, [join(root, 'web/build.ts')], { stdio: 'inherit' });
    mkdirSync(screenshots, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), `second-factor-browser-${options.name}-`));
    const config = typeof options.config === 'function' ? options.config() : (options.config ?? {});
    service = await startService(
      loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', PLATFORM_API_KEY: apiKey, ...config }),
      undefined,
      options.clock === undefined ? {} : { clock: options.clock },
    );
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterEach(async () => {
    await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
    contexts = [];
  });

  afterAll(async () => {
    await browser?.close();
    // A socket Chromium opened just before it was closed can keep app.close() waiting for Node's
    // headers timeout (~60 s); nobody is left to answer, so drop every connection first.
    service?.app.server.closeAllConnections();
    await service?.stop();
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
    expect(problems).toEqual([]);
  });

  const running = (): RunningService => {
    if (service === undefined) throw new Error('the service is not started yet');
    return service;
  };

  /** A POST (or `method`) to the service that must succeed; its JSON answer. */
  const call = async (path: string, body: unknown, headers: Record<string, string> = {}, method = 'POST') => {
    const response = await fetch(`${running().url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    expect(response.status, `${path} ${response.status}`).toBeLessThan(300);
    return (await response.json()) as Record<string, string>;
  };

  /** What the platform creates with its API key (an office, a user): 201 and the answer. */
  const platform = async (path: string, body: unknown) => {
    const response = await fetch(`${running().url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify(body),
    });
    expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(201);
    return (await response.json()) as Record<string, string>;
  };

  const office = async (name: string) => (await platform('/v1/platform/offices', { name })).officeId ?? '';
  const user = async (officeId: string, username: string, role = 'member') =>
    (await platform('/v1/platform/users', { officeId, username, password, role })).userId ?? '';
  /** The `authorization` header of a fresh session of `username` (password only). */
  const bearer = async (username: string) =>
    `Bearer ${(await call('/v1/login', { username, password })).session}`;
  /** A new member with an authenticator set up through the API (the previous step's code confirms it). */
  const enrolled = async (officeId: string, username: string) => {
    const userId = await user(officeId, username);
    const authorization = await bearer(username);
    const { enrollmentId, secret = '' } = await call(
      '/v1/me/two-factor/enrollment',
      { password },
      { authorization },
    );
    const code = codeAt(secret, -1, now());
    await call('/v1/me/two-factor/enrollment/confirm', { enrollmentId, code }, { authorization });
    return { userId, secret };
  };

  /** A browser of its own (cookies, stored language) in Brussels, closed after the test. */
  const context = async (extra: BrowserContextOptions = {}): Promise<BrowserContext> => {
    if (browser === undefined) throw new Error('Chromium is not started yet');
    const opened = await browser.newContext({ locale: 'nl-BE', timezoneId: 'Europe/Brussels', ...extra });
    contexts.push(opened);
    return opened;
  };
  /** A page of `browserContext` on `path`, once it shows its title; its script errors are problems. */
  const pageIn = async (browserContext: BrowserContext, path: string): Promise<Page> => {
    const page = await browserContext.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${running().url}${path}`);
    await page.locator('#page-title').waitFor();
    return page;
  };
  const open = async (path: string, extra: BrowserContextOptions = {}) => pageIn(await context(extra), path);

  /** Fills in the login form in `lang`'s wording and sends it. */
  const logIn = async (page: Page, username: string, lang: Lang = 'nl') => {
    const t = wordingOf(lang);
    await page.getByLabel(t('login.username')).fill(username);
    await page.getByLabel(t('login.password'), { exact: true }).fill(password);
    await page.getByRole('button', { name: t('login.submit') }).click();
  };

  /** `username` (support) logged in, in a browser of their own, on the support page in `lang`. */
  const supportDesk = async (username: string, lang: Lang): Promise<Page> => {
    const t = wordingOf(lang);
    const page = await open('/');
    await switchTo(page, lang);
    await logIn(page, username, lang);
    await expect.poll(() => page.locator('#page-title').textContent()).toBe(t('account.title'));
    await page.goto(`${running().url}/support`);
    await expect.poll(() => page.locator('#page-title').textContent()).toBe(t('support.title'));
    return page;
  };

  return {
    get url() {
      return running().url;
    },
    /** For a context that outlives one test (closed with the browser); `context()` for the others. */
    get browser() {
      if (browser === undefined) throw new Error('Chromium is not started yet');
      return browser;
    },
    password,
    problems,
    call,
    office,
    user,
    bearer,
    enrolled,
    context,
    pageIn,
    open,
    logIn,
    supportDesk,
  };
};

/** Looks `username` up on the support page in `lang`, until the page shows that user. */
export const findOnSupportPage = async (page: Page, username: string, lang: Lang) => {
  const t = wordingOf(lang);
  await page.locator('form[role="search"]').getByLabel(t('support.username')).fill(username);
  await page.getByRole('button', { name: t('support.find') }).click();
  await expect
    .poll(() => page.locator('#user-title').textContent())
    .toBe(t('support.userTitle', { name: username }));
};

let axeScript: string | undefined;

/** axe-core's serious and critical findings on the page as it is now. */
export const severeAxeViolations = async (page: Page) => {
  // addScriptTag would add an inline <script>, which the service's CSP (script-src 'self') rightly
  // blocks; evaluating the file through the DevTools protocol keeps the CSP on for the pages.
  axeScript ??= readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
  if ((await page.evaluate(() => 'axe' in window)) === false) await page.evaluate(axeScript);
  const violations = await page.evaluate(async () => {
    type AxeResults = {
      violations: Array<{
        id: string;
        impact: string | null;
        help: string;
        nodes: Array<{ target: string[] }>;
      }>;
    };
    const run = (window as unknown as { axe: { run: (context: Document) => Promise<AxeResults> } }).axe.run;
    const results = await run(document);
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
};
