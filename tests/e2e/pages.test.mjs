// Every page template, in the three languages, in Debian's Chromium: no WCAG 2.1 AA
// violation found by axe-core, usable at 320 px, and reachable by keyboard. Pages run under
// Tamar's own Content-Security-Policy, as in production: every test fails if a page reports a
// CSP violation or an uncaught script error.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { createHmac } from "node:crypto";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const PASSWORD = "tamar-demo-2026";
const TOTP_KEY = "TAMARDEMOSECRETKEYFORTHEOFFICERS";
const codesUsed = new Map();

// RFC 6238, as an authenticator app computes it. Each code works once, so a second sign-in of
// the same officer uses the next step's code.
function totp(email) {
  const offset = codesUsed.get(email) ?? 0;
  codesUsed.set(email, offset + 1);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of TOTP_KEY) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + offset));
  const digest = createHmac("sha1", key).update(counter).digest();
  const start = digest[digest.length - 1] & 0x0f;
  return String((digest.readUInt32BE(start) & 0x7fffffff) % 1000000).padStart(6, "0");
}
const LANGS = ["en", "tc", "sc"];

let server, base, browser;

// What pages reported during the current test: CSP violations and uncaught script errors.
let problems = [];
// Runs in every document before the page's own scripts (an init script, which the page's CSP
// does not govern): reports each violation event to the console, where `watch` collects it.
const REPORT_VIOLATIONS = `document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.effectiveDirective + " blocked " + (e.blockedURI || "(inline)") +
    " in " + (e.sourceFile || document.location.href) + ":" + e.lineNumber);
}, true);`;

function watch(page) {
  // Chromium logs "Refused to ... because it violates the following Content Security Policy
  // directive" for every violation, also with JavaScript off; the init script adds the events.
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|CSP violation/i.test(message.text())) {
      problems.push(`${page.url()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`${page.url()}: uncaught ${error.message}`));
}

/// A browser context under the site's CSP (never `bypassCSP`), watched for violations.
async function newContext(options = {}) {
  const context = await browser.newContext(options);
  await context.addInitScript({ content: REPORT_VIOLATIONS });
  context.on("page", watch);
  return context;
}

afterEach(() => {
  const found = problems;
  problems = [];
  assert.deepEqual(found, [], "pages reported CSP violations or script errors");
});

/// Starts `tamar demo` on a free port with a fresh data folder; resolves once it serves.
async function startServer() {
  const binary = process.env.TAMAR_BIN;
  assert.ok(binary, "TAMAR_BIN must name the tamar binary (scripts/test sets it)");
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TAMAR_")));
  const child = spawn(binary, ["demo", "--addr", "127.0.0.1:0", "--data", mkdtempSync(join(tmpdir(), "tamar-e2e-"))], {
    env: { ...env, RUST_LOG: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const found = out.match(/serving at (http:\/\/[^/ ]+)\//);
      if (found && out.includes("authenticator app")) resolve(found[1]);
    });
    child.on("exit", (code) => reject(new Error(`tamar exited with ${code}: ${out}`)));
  });
  // Ready once its search index has caught up with the catalogue.
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    assert.ok(i < 300, "tamar never became ready");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { server: child, base: url };
}

before(async () => {
  ({ server, base } = await startServer());
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
});

async function signedIn(email) {
  const context = await newContext();
  if (!email) return context;
  const page = await context.newPage();
  await page.goto(`${base}/en/sign-in`);
  await page.fill("#email", email);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(/\/en\/(account|sign-in\/code)/), page.click("button[type=submit].button")]);
  if (page.url().includes("/sign-in/code")) {
    assert.deepEqual(await axe(page), [], "en/sign-in/code");
    await page.fill("#code", totp(email));
    await Promise.all([page.waitForURL(/\/en\/account$/), page.click("button[type=submit].button")]);
  }
  await page.close();
  return context;
}

// axe-core cannot come in as a <script>: addScriptTag is refused by script-src 'self', as an
// attacker's script would be. Its source is evaluated with page.evaluate instead, which
// Playwright runs through the DevTools protocol (Runtime.evaluate / callFunctionOn), and which
// the page's CSP does not govern.
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  });
}

// Words in table cells never break in the middle ("Servic|e"): a table too wide for the
// screen scrolls in its own region instead. Tokens marked to break anywhere (hashes, codes)
// are left out.
async function brokenWords(page) {
  return page.evaluate(() => {
    const broken = [];
    for (const cell of document.querySelectorAll("th, td")) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest(".break, code")) continue;
        for (const m of node.data.matchAll(/[\p{Script=Latin}0-9]{2,}/gu)) {
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          if (lines.size > 1) broken.push(m[0]);
        }
      }
    }
    return broken;
  });
}

const PAGES = [
  [null, ["/", "/departments", "/departments/IMMD", "/transparency", "/sign-in", "/register", "/verify-email?token=x", "/no-such-page",
    "/topics/transport", "/audiences/business", "/departments/TD", "/news", "/services/renew-vehicle-licence",
    "/guides/how-to-prepare-for-a-typhoon", "/news/rates-demand-notes-october-december-2026", "/notices/iam-smart-maintenance-december-2026",
    "/search", "/search?q=driving+licence", "/search?q=%E4%BA%A4%E7%A8%85&type=service&topic=tax", "/search?q=zzzzqqq", "/apps", "/offline"]],
  ["chan.taiman@example.hk", ["/account", "/account/identity", "/account/two-factor", "/account/contact", "/account/password",
    "/account/inbox", "/account/bookmarks", "/account/applications", "/account/bills", "/account/subscriptions", "/account/prefill",
    "/services/renew-vehicle-licence"]],
  ["cheung.waiman@td.gov.hk", ["/office/content", "/office/content/new?kind=service", "/office/content/new?kind=news"]],
  ["wong.siuming@immd.gov.hk", ["/office", "/office/verifications", "/account"]],
  ["admin@tamar.gov.hk", ["/admin/departments"]],
];

for (const [who, paths] of PAGES) {
  test(`no WCAG 2.1 AA violations, as ${who ?? "a visitor"}`, async () => {
    const context = await signedIn(who);
    const page = await context.newPage();
    for (const lang of LANGS) {
      for (const path of paths) {
        for (const width of [1280, 320]) {
          await page.setViewportSize({ width, height: 800 });
          await page.goto(`${base}/${lang}${path}`);
          assert.deepEqual(await axe(page), [], `${lang}${path} at ${width}px`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 0, `${lang}${path} scrolls sideways at ${width}px by ${overflow}px`);
          assert.deepEqual(await brokenWords(page), [], `${lang}${path} breaks words in table cells at ${width}px`);
        }
      }
    }
    await context.close();
  });
}

test("the form error summary is accessible too", async () => {
  const context = await signedIn(null);
  const page = await context.newPage();
  for (const lang of LANGS) {
    await page.goto(`${base}/${lang}/sign-in`);
    await page.fill("#email", "nobody@example.hk");
    await page.fill("#password", "wrong password");
    await page.click("button[type=submit].button");
    assert.equal(await page.locator(".error-summary").count(), 1);
    assert.deepEqual(await axe(page), [], `${lang}/sign-in with an error`);
  }
  await context.close();
});

test("registration and identity forms with errors are accessible too", async () => {
  const visitor = await signedIn(null);
  const page = await visitor.newPage();
  for (const lang of LANGS) {
    await page.goto(`${base}/${lang}/register`);
    await page.fill("#name_en", "CHAN Tai-man");
    await page.fill("#email", `weak-${lang}@example.hk`);
    await page.fill("#password", "password1");
    await page.click("button[type=submit].button");
    assert.equal(await page.locator(".error-summary").count(), 1);
    assert.deepEqual(await axe(page), [], `${lang}/register with an error`);
  }
  await visitor.close();
  const citizen = await signedIn("chan.taiman@example.hk");
  const form = await citizen.newPage();
  await form.goto(`${base}/tc/account/identity`);
  await form.fill("#hkid", "A123456(4)");
  await form.fill("#date_of_birth", "1990-07-01");
  await form.click("button[type=submit].button");
  assert.equal(await form.locator(".error-summary").count(), 1);
  assert.deepEqual(await axe(form), [], "tc/account/identity with an error");
  await citizen.close();
});

test("the consent screen of Sign in with Tamar is accessible", async () => {
  const admin = await signedIn("admin@tamar.gov.hk");
  const registered = await admin.request.post(`${base}/api/v1/oidc/clients`, {
    data: {
      name: { en: "Rating and Valuation e-Services", tc: "差餉物業估價署電子服務", sc: "差饷物业估价署电子服务" },
      purpose: { en: "To show your rates bills", tc: "顯示你的差餉帳單", sc: "显示你的差饷账单" },
      redirect_uris: ["https://rvd.example.hk/callback"],
      scopes: ["openid", "profile", "email"],
    },
  });
  assert.equal(registered.status(), 201);
  const client = await registered.json();
  await admin.close();
  const citizen = await signedIn("chan.taiman@example.hk");
  const page = await citizen.newPage();
  const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  for (const lang of LANGS) {
    await page.goto(`${base}/${lang}/oidc/authorize?response_type=code&client_id=${client.client_id}` +
      `&redirect_uri=${encodeURIComponent("https://rvd.example.hk/callback")}&scope=openid%20profile%20email&state=s` +
      `&code_challenge=${challenge}&code_challenge_method=S256`);
    assert.equal(await page.locator("button[value=allow]").count(), 1, `${lang} consent screen`);
    assert.deepEqual(await axe(page), [], `${lang}/oidc/authorize`);
    await page.goto(`${base}/${lang}/oidc/authorize?client_id=${client.client_id}&redirect_uri=https%3A%2F%2Fevil.example%2F`);
    assert.deepEqual(await axe(page), [], `${lang}/oidc/authorize with a bad redirect`);
  }
  // The signing page, as the service's request leads the citizen to it.
  const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64");
  const request = await citizen.request.post(`${base}/api/v1/signing/requests`, {
    headers: { authorization: `Basic ${basic}` },
    data: { document_hash: "a".repeat(64), document_name: "Rates demand note 2026" },
  });
  assert.equal(request.status(), 201);
  const { id, short_code: code } = await request.json();
  for (const lang of LANGS) {
    await page.goto(`${base}/${lang}/sign/${id}`);
    assert.ok((await page.textContent("main")).includes(code));
    assert.deepEqual(await axe(page), [], `${lang}/sign`);
  }
  await citizen.close();
});

test("passkeys: add one, then sign in with it and no password", async () => {
  const context = await signedIn("chan.taiman@example.hk");
  const page = await context.newPage();
  // Chromium's virtual authenticator stands in for the phone or security key.
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  await page.goto(`${base}/en/account`);
  // Adding a passkey needs the password again: a stolen session alone cannot add one.
  await page.fill("#passkey-proof-password", PASSWORD);
  await page.click("[data-passkey-register] button[type=submit]");
  await page.waitForFunction(() => document.body.textContent.includes("Passkeys on this account: 1"), null, { timeout: 10000 });
  assert.deepEqual(await axe(page), [], "en/account with a passkey");
  await Promise.all([page.waitForURL(/\/en\/$/), page.click("nav .link-button")]);
  await page.goto(`${base}/en/sign-in?next=%2Fen%2Faccount`);
  await page.click("[data-passkey-sign-in]");
  await page.waitForURL(/\/en\/account$/, { timeout: 10000 }).catch(async (e) => {
    throw new Error(`${e.message}; the page says: ${await page.textContent("[data-passkey-status]")}`);
  });
  const main = await page.textContent("main");
  assert.ok(main.includes("Passkeys on this account: 1") && main.includes("Chan Tai-man"), "signed in by passkey");
  await context.close();
});

test("pages run under the production CSP, and a violation is caught", async () => {
  const context = await newContext();
  const page = await context.newPage();
  const response = await page.goto(`${base}/en/`);
  const csp = response.headers()["content-security-policy"];
  assert.match(csp, /script-src 'self';/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.deepEqual(problems, [], "the home page itself reports nothing");
  // What a change that put an inline script or style into a page would do.
  await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.inlineScriptRan = true";
    document.body.append(script);
    document.querySelector("main").setAttribute("style", "color: red");
  });
  assert.equal(await page.evaluate(() => window.inlineScriptRan), undefined, "the inline script was refused");
  for (let i = 0; i < 50 && problems.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(problems.some((p) => /script-src/.test(p)), problems.join("\n"));
  assert.ok(problems.some((p) => /style-src/.test(p)), problems.join("\n"));
  problems = []; // expected here; any other test that reports one fails
  await context.close();
});

test("keyboard only: skip link, then the language switcher", async () => {
  const context = await signedIn(null);
  const page = await context.newPage();
  await page.goto(`${base}/en/departments`);
  await page.keyboard.press("Tab");
  const skip = page.locator(".skip-link");
  assert.equal(await skip.evaluate((el) => el === document.activeElement), true, "the skip link comes first");
  const box = await skip.boundingBox();
  assert.ok(box && box.x >= 0 && box.width > 0, "the focused skip link is visible");
  await page.keyboard.press("Enter");
  assert.match(page.url(), /#main-content$/);
  // Tab on to the language switcher and follow it to Traditional Chinese.
  await page.goto(`${base}/en/departments`);
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement?.getAttribute("hreflang") === "zh-Hant-HK")) break;
  }
  await Promise.all([page.waitForURL(/\/tc\/departments$/), page.keyboard.press("Enter")]);
  assert.equal(await page.getAttribute("html", "lang"), "zh-Hant-HK");
  await context.close();
});

test("works without JavaScript: sign in and out", async () => {
  const context = await newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/sc/sign-in`);
  await page.fill("#email", "chan.taiman@example.hk");
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(/\/sc\/account$/), page.click("button[type=submit].button")]);
  assert.match(await page.textContent("h1"), /我的账户/);
  assert.ok((await page.textContent("main")).includes("入境事务处"), "the Immigration Department's read is listed");
  await Promise.all([page.waitForURL(/\/sc\/$/), page.click("nav .link-button")]);
  await context.close();
});

test("MyGovHK: an inbox message, and forms with errors, are accessible", async () => {
  const context = await signedIn("chan.taiman@example.hk");
  const page = await context.newPage();
  for (const lang of LANGS) {
    await page.goto(`${base}/${lang}/account/inbox`);
    const first = page.locator(".results a").first();
    await Promise.all([page.waitForURL(/\/account\/inbox\/[0-9a-f-]+$/), first.click()]);
    assert.deepEqual(await axe(page), [], `${lang} inbox message`);
    await page.goto(`${base}/${lang}/account/subscriptions`);
    await page.selectOption("#target", "topic:transport");
    await Promise.all([page.waitForURL(/\/account\/subscriptions$/), page.click("form:not(.inline-form) button[type=submit].button")]);
    assert.deepEqual(await axe(page), [], `${lang} subscriptions with one`);
  }
  await context.close();
});

test("content workflow pages: editor, reviewer, versions and diff are accessible", async () => {
  const editor = await signedIn("cheung.waiman@td.gov.hk");
  const page = await editor.newPage();
  await page.goto(`${base}/en/office/content/new?kind=news`);
  await page.fill("#slug", "e2e-road-works");
  await page.fill("#title_en", "Road works on Nathan Road");
  await page.fill("#title_tc", "彌敦道道路工程");
  await page.fill("#summary_en", "Lanes close at night.");
  await page.fill("#summary_tc", "晚上封閉行車線。");
  await page.fill("#body_en", "Works run for two weeks.");
  await page.fill("#body_tc", "工程為期兩星期。");
  await page.check("#topic_transport");
  await page.check("#audience_residents");
  await Promise.all([page.waitForURL(/\/office\/content\/[0-9a-f-]+$/), page.click("button:has-text('Save draft')")]);
  const item = page.url();
  assert.deepEqual(await axe(page), [], "en editor with a draft");
  await page.fill("#summary_en", "Lanes close at night, from 11 pm to 6 am.");
  await Promise.all([page.waitForURL(item), page.click("button:has-text('Save draft')")]);
  await Promise.all([page.waitForURL(/done=submitted/), page.click("button:has-text('Submit for review')")]);
  const reviewer = await signedIn("ho.meiling@td.gov.hk");
  const review = await reviewer.newPage();
  for (const lang of LANGS) {
    await review.goto(item.replace("/en/", `/${lang}/`));
    assert.equal(await review.locator("#publish_at").count(), 1, "the reviewer sees the review form");
    assert.deepEqual(await axe(review), [], `${lang} review page`);
    await review.goto(item.replace("/en/", `/${lang}/`) + "/versions/1");
    assert.deepEqual(await axe(review), [], `${lang} version 1`);
  }
  await review.goto(`${base}/en/office/content`);
  assert.deepEqual(await axe(review), [], "en dashboard with an item to review");
  await review.goto(item);
  await Promise.all([review.waitForURL(/done=published/), review.click("button:has-text('Approve and publish')")]);
  await review.goto(`${base}/en/news/e2e-road-works`);
  assert.match(await review.textContent("h1"), /Road works on Nathan Road/);
  // A second version and its diff.
  await page.goto(item);
  await page.fill("#title_en", "Road works on Nathan Road extended");
  await Promise.all([page.waitForURL(item), page.click("button:has-text('Save draft')")]);
  for (const lang of LANGS) {
    await page.goto(item.replace("/en/", `/${lang}/`) + "/versions/2");
    assert.equal(await page.locator(".diff__added").count() > 0, true, "the diff shows an addition");
    assert.deepEqual(await axe(page), [], `${lang} version 2 with a diff`);
  }
  await editor.close();
  await reviewer.close();
});

test("keyboard only: search, open a service, bookmark it", async () => {
  const context = await signedIn("chan.taiman@example.hk");
  const page = await context.newPage();
  await page.goto(`${base}/en/`);
  // Tab to the search box.
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement?.id === "search-q")) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), "search-q", "the search box is reachable by Tab");
  await page.keyboard.type("renew vehicle licence");
  await Promise.all([page.waitForURL(/\/en\/search\?q=/), page.keyboard.press("Enter")]);
  // Tab to the first result and open it.
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement?.closest(".results") !== null)) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("href")), "/en/services/renew-vehicle-licence");
  await Promise.all([page.waitForURL(/\/en\/services\/renew-vehicle-licence$/), page.keyboard.press("Enter")]);
  // Tab to the bookmark button and press it.
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement?.textContent?.includes("Bookmark this service"))) break;
  }
  assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ""), /Bookmark this service/);
  await Promise.all([page.waitForLoadState("load"), page.keyboard.press("Enter")]);
  await page.waitForFunction(() => document.body.textContent.includes("Remove bookmark"));
  await page.goto(`${base}/en/account/bookmarks`);
  assert.ok((await page.textContent("main")).includes("Renew a vehicle licence"));
  await context.close();
});

test("search filters: closed on a phone so results come first, open beside them on a wide screen", async () => {
  const context = await signedIn(null);
  const page = await context.newPage();
  const query = `${base}/sc/search?q=${encodeURIComponent("驾驶执照")}`;
  const open = () => page.evaluate(() => document.querySelector("details[data-filters]").open);
  await page.setViewportSize({ width: 320, height: 800 });
  await page.goto(query);
  assert.equal(await open(), false, "closed at 320 px");
  const firstResult = await page.locator(".results a").first().boundingBox();
  assert.ok(firstResult.y < 800, `the first result is on the first screen (y ${firstResult.y})`);
  assert.deepEqual(await axe(page), [], "sc search at 320 px, filters closed");
  // By keyboard: open the filters, choose one, apply it.
  await page.focus("summary.search-filters__toggle");
  await page.keyboard.press("Enter");
  assert.equal(await open(), true, "Enter on the summary opens the filters");
  await page.check("#f-type-service");
  await Promise.all([page.waitForURL(/type=service/), page.click(".search-filters button[type=submit]")]);
  assert.equal(await open(), true, "open when a filter is chosen");
  assert.match(await page.textContent("summary.search-filters__toggle"), /已选 1 项/);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(query);
  assert.equal(await open(), true, "open on a wide screen");
  await context.close();
  // Without JavaScript, the filters still open and work.
  const plain = await newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
  const noScript = await plain.newPage();
  await noScript.goto(query);
  await noScript.click("summary.search-filters__toggle");
  await noScript.check("#f-type-guide");
  await Promise.all([noScript.waitForURL(/type=guide/), noScript.click(".search-filters button[type=submit]")]);
  assert.match(await noScript.textContent("main"), /共 2 项结果/);
  await plain.close();
});

test("search as you type suggests titles, in Chinese too", async () => {
  const context = await signedIn(null);
  const page = await context.newPage();
  await page.goto(`${base}/tc/`);
  await page.click("#search-q");
  await page.keyboard.type("駕駛");
  await page.waitForSelector("[data-suggestions] a", { timeout: 5000 });
  const titles = await page.locator("[data-suggestions] a").allTextContents();
  assert.ok(titles.some((t) => t.includes("駕駛")), titles.join(", "));
  assert.deepEqual(await axe(page), [], "tc home with suggestions");
  await context.close();
});

test("an installable app that works offline", async () => {
  // A server of its own, stopped half-way: the service worker then answers from its cache.
  const own = await startServer();
  const context = await newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${own.base}/en/`);
    const manifest = await page.getAttribute("link[rel=manifest]", "href");
    const response = await page.request.get(`${own.base}${manifest}`);
    assert.equal((await response.json()).display, "standalone");
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
    own.server.kill("SIGTERM");
    await new Promise((resolve) => own.server.on("exit", resolve));
    await page.goto(`${own.base}/tc/news`).catch(() => {});
    assert.match(await page.textContent("h1"), /你現在處於離線狀態/);
    assert.equal((await page.evaluate(() => getComputedStyle(document.body).fontFamily)).length > 0, true, "the cached stylesheet applies");
  } finally {
    own.server.kill("SIGTERM");
    await context.close();
  }
});
