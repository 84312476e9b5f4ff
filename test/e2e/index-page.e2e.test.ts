// The index page (`GET /`) in a real browser: Debian's Chromium, headless, driven with
// playwright-core (no browser download: executablePath is /usr/bin/chromium), against
// `modgate serve` (the built CLI). Chromium resolves the vanity hosts to 127.0.0.1
// (--host-resolver-rules), so the page is asked for as https://go.example.com would be, only
// over http on modgate's port, and with two hosts configured, Host decides what is listed.
// The page must render, list exactly the host's public modules, log no console errors and
// report no CSP violations; a screenshot is kept at test-results/index-page.png.
// Locally a missing Chromium skips; with CI=true it fails (.ci/run installs it).
import { accessSync, constants } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BrowserContext, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeDir, startModgateNode, type RunningModgate } from "./harness/index.js";
import { REPO_ROOT } from "./harness/modgate.js";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = join(REPO_ROOT, "test-results", "index-page.png");

function chromiumAvailable(): boolean {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return true;
  } catch {
    const message = `${CHROMIUM} missing (Debian package chromium)`;
    if (process.env.CI === "true") throw new Error(`${message} (CI=true, so this is a failure, not a skip)`);
    console.warn(`${message}; skipping`);
    return false;
  }
}

/** Two hosts, public and private modules, a template and a group rule: what the index shows differs for each. */
const CONFIG = `gitlab:
  url: https://gitlab.example.com
modules:
  - path: go.example.com/tools
    project: platform/devtools/tools
  - path: go.example.com/libs/{name}
    project: platform/libs/{name}
  - path: go.example.com/oss
    group: platform/oss
  - path: go.example.com/internal/secret
    project: platform/secret
    private: true
  - path: go.example.com/vendored
    repo: https://github.com/acme/vendored
    private: true
  - path: go.other.org/x
    repo: https://github.com/acme/x
`;
// A group rule is listed as a pattern below the group's import path.
const PUBLIC_ON_EXAMPLE = ["go.example.com/libs/{name}", "go.example.com/oss/{project}", "go.example.com/tools"];
const PRIVATE = ["go.example.com/internal/secret", "go.example.com/vendored"];

interface Problems {
  console: string[];
  pageErrors: string[];
  csp: string[];
  failedRequests: string[];
}

describe.runIf(chromiumAvailable())("index page in headless Chromium", () => {
  let dir = "";
  let modgate: RunningModgate | undefined;
  let context: BrowserContext | undefined;
  let port = "";

  beforeAll(async () => {
    dir = await makeTempDir("chromium");
    await writeFile(join(dir, "modgate.yaml"), CONFIG);
    modgate = await startModgateNode(join(dir, "modgate.yaml"), { MODGATE_LOG: "off" });
    port = new URL(modgate.url).port;
    const { chromium } = await import("playwright-core");
    // A persistent context is the only way to give Chromium our own --user-data-dir.
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--host-resolver-rules=MAP go.example.com 127.0.0.1, MAP go.other.org 127.0.0.1",
      ],
      viewport: { width: 1000, height: 600 },
      timeout: 60_000,
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await modgate?.close();
    if (dir !== "") await removeDir(dir);
  });

  /** Opens a page that records console errors, uncaught errors, failed requests and CSP issues. */
  async function watchedPage(): Promise<{ page: Page; problems: Problems; cdp: CDPSession }> {
    const page = await context!.newPage();
    const problems: Problems = { console: [], pageErrors: [], csp: [], failedRequests: [] };
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.console.push(msg.text());
    });
    page.on("pageerror", (err) => problems.pageErrors.push(err.message));
    page.on("requestfailed", (req) => problems.failedRequests.push(`${req.url()}: ${req.failure()?.errorText}`));
    // CSP violations reach DevTools as issues (and as console errors); listen to both.
    const cdp = await context!.newCDPSession(page);
    cdp.on("Audits.issueAdded", ({ issue }) => {
      if (issue.code === "ContentSecurityPolicyIssue") problems.csp.push(JSON.stringify(issue.details.contentSecurityPolicyIssueDetails));
    });
    await cdp.send("Audits.enable");
    return { page, problems, cdp };
  }

  it("renders the public modules of the host, none of the private ones, with no console errors or CSP violations", async () => {
    const { page, problems } = await watchedPage();
    const response = await page.goto(`http://go.example.com:${port}/`, { waitUntil: "load" });
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");
    await page.waitForTimeout(500); // let late console messages and issues arrive

    expect(await page.title()).toBe("go.example.com");
    expect(await page.locator("h1").innerText()).toBe("Go modules at go.example.com");
    const listed = (await page.locator("li > code, li > a > code").allInnerTexts()).sort();
    expect(listed).toEqual(PUBLIC_ON_EXAMPLE);
    const text = await page.locator("body").innerText();
    for (const module of PRIVATE) expect(text).not.toContain(module);
    expect(text).not.toContain("go.other.org");
    // Every entry has its go get line, and the page is visible (laid out, not blank).
    expect((await page.locator("li pre").allInnerTexts()).sort()).toEqual(PUBLIC_ON_EXAMPLE.map((m) => `go get ${m}`));
    const box = await page.locator("ul").boundingBox();
    expect(box?.height ?? 0).toBeGreaterThan(50);

    await mkdir(join(REPO_ROOT, "test-results"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    expect(problems).toEqual({ console: [], pageErrors: [], csp: [], failedRequests: [] });
    await page.close();
  });

  it("shows each host only its own modules (Host decides)", async () => {
    const { page, problems } = await watchedPage();
    const response = await page.goto(`http://go.other.org:${port}/`);
    expect(response?.status()).toBe(200);
    expect(await page.locator("li > code, li > a > code").allInnerTexts()).toEqual(["go.other.org/x"]);
    expect(problems.console).toEqual([]);
    await page.close();
  });

  it("would notice a CSP violation (the watch above is live)", async () => {
    const { page, problems } = await watchedPage();
    await page.goto(`http://go.example.com:${port}/`);
    // An image load the page's CSP (default-src 'none') must refuse.
    await page.evaluate(() => {
      const img = document.createElement("img");
      img.src = "/favicon-probe.png";
      document.body.append(img);
    });
    await expect.poll(() => problems.csp.length, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => problems.console.some((m) => /Content Security Policy/i.test(m)), { timeout: 30_000 }).toBe(true);
    await page.close();
  });
});
