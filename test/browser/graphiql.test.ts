// GraphiQL as a person meets it: Debian's Chromium, driven by playwright-core, opens /graphql from
// the gateway on 127.0.0.1 with every other host unreachable (as on a closed government network),
// (playwright gives it a fresh profile) and runs the first example tabs with the run button. CI installs Chromium (.ci/run); on a machine
// without it the suite is skipped, so `npm test` still works on a fresh clone.

import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { startStack, type Stack } from '../helpers/gateway.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);

describe.skipIf(!available && !process.env.CI)('GraphiQL in Chromium', () => {
  let stack: Stack;
  let server: Server;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const offsiteRequests: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
    const demoAccount = { tenantId: stack.sim.tenantId, username: stack.sim.username, password: stack.sim.apiPassword };
    const gateway = createGateway({ config: stack.config, upstream: stack.upstream, logger: createLogger('silent'), demoAccount });
    server = createServer(gateway.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
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
    page = await browser.newPage();
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      offsiteRequests.push(url);
      return route.abort();
    });
    await page.goto(`${origin}/graphql`);
    await page.waitForSelector('.graphiql-query-editor .view-lines', { timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await stack?.close();
  });

  /** Clicks the run button (again, while the editor is still settling after a tab switch) until the
   * page sends the tab's operation, and returns the gateway's answer. */
  async function runActiveTab(operationName: string): Promise<{ data?: unknown; errors?: unknown[] }> {
    const isRun = (r: Request) => r.url() === `${origin}/graphql` && r.method() === 'POST' && (r.postData() ?? '').includes(operationName);
    let sent = false;
    const track = (r: Request) => (sent ||= isRun(r));
    page.on('request', track);
    const answered = page.waitForResponse((r) => isRun(r.request()));
    try {
      await expect
        .poll(async () => {
          if (!sent) await page.click('.graphiql-execute-button');
          return sent;
        }, { interval: 250 })
        .toBe(true);
    } finally {
      page.off('request', track);
    }
    return (await (await answered).json()) as { data?: unknown; errors?: unknown[] };
  }

  test('renders with no request to any other host', () => {
    expect(offsiteRequests).toEqual([]);
  });

  test('the first tab lists servers with their flavor and image', async () => {
    const body = await runActiveTab('ListServers');
    expect(body.errors).toBeUndefined();
    const servers = (body.data as { servers: { edges: { node: { flavor: unknown } }[] } }).servers;
    expect(servers.edges.length).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.graphiql-response .view-lines').innerText()).toContain('edges');
  }, 30_000);

  test('the create-server choices tab runs from its tab button', async () => {
    // The tab strip animates into place after load (its tabs are draggable): click until it switches.
    await expect
      .poll(async () => {
        await page.click('#graphiql-session-tab-1');
        return page.locator('.graphiql-tab-active').innerText();
      })
      .toBe('CreateServerChoices');
    const body = await runActiveTab('CreateServerChoices');
    expect(body.errors).toBeUndefined();
    expect(Object.keys(body.data as object)).toEqual(expect.arrayContaining(['flavors', 'networks']));
  }, 30_000);
});
