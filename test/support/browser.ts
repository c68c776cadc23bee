import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

const CHROMIUM_PATH = '/usr/bin/chromium';

/** Quiet, sandbox-free, offline-friendly: no updates, sync, QUIC or background fetches during tests. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether browser journeys can run here. Without Chromium: on CI (env CI set) that is a broken machine, so this
 * throws; on a workstation the journeys are skipped with a loud warning saying how to install it.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const install = 'apt-get install -y chromium';
  if (process.env.CI) {
    throw new Error(`Chromium is required for the browser journeys but ${CHROMIUM_PATH} is missing. Install it with \`${install}\`.`);
  }
  console.warn(
    [
      '',
      '################################################################################',
      `#  SKIPPING BROWSER JOURNEYS: ${CHROMIUM_PATH} is missing.`,
      `#  Install Chromium with \`${install}\` to run them.`,
      '################################################################################',
      '',
    ].join('\n'),
  );
  return false;
}

/**
 * Chromium logs every 4xx answer as a console error. A form the server refuses (400 invalid, 403 not entitled)
 * answers 4xx on purpose, and the journey asserts the alert that explains it; a missing asset is still a problem.
 */
function isExpectedRefusal(message: ConsoleMessage): boolean {
  if (!/^Failed to load resource: the server responded with a status of 4\d\d\b/.test(message.text())) return false;
  const { url } = message.location();
  return Boolean(url) && !new URL(url).pathname.startsWith('/assets/');
}

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab; its uncaught errors and console errors are recorded (see `takeProblems`). */
  newPage(): Promise<Page>;
  /** Uncaught page errors, console errors and blocked off-machine requests seen so far; cleared by each call. */
  takeProblems(): string[];
  close(): Promise<void>;
}

/**
 * Chromium (playwright-core, the system binary) with a fresh temporary profile. Requests that leave the machine
 * are aborted and reported, like the Node-side guard does for the test process.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'tierdesk-chromium-'));
  let context: BrowserContext;
  try {
    // Playwright refuses `--user-data-dir` in args: a persistent context is how it takes a profile directory.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 15_000,
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultTimeout(10_000);

  const problems: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || LOOPBACK_HOSTS.has(url.hostname)) return route.continue();
    problems.push(`blocked off-machine request: ${route.request().method()} ${url.href}`);
    return route.abort('blockedbyclient');
  });

  const watch = (page: Page) => {
    page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !isExpectedRefusal(message)) problems.push(`console.error on ${page.url()}: ${message.text()}`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);

  return {
    context,
    newPage: () => context.newPage(),
    takeProblems: () => problems.splice(0),
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
