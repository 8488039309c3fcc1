// Every page template, in the three languages, in Debian's Chromium: no WCAG 2.1 AA
// violation found by axe-core, usable at 320 px, and reachable by keyboard.
import { test, before, after } from "node:test";
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

before(async () => {
  const binary = process.env.TAMAR_BIN;
  assert.ok(binary, "TAMAR_BIN must name the tamar binary (scripts/test sets it)");
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TAMAR_")));
  server = spawn(binary, ["demo", "--addr", "127.0.0.1:0", "--data", mkdtempSync(join(tmpdir(), "tamar-e2e-"))], {
    env: { ...env, RUST_LOG: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  base = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const url = out.match(/serving at (http:\/\/[^/ ]+)\//);
      if (url && out.includes("authenticator app")) resolve(url[1]);
    });
    server.on("exit", (code) => reject(new Error(`tamar exited with ${code}: ${out}`)));
  });
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
  // axe is injected as a script: let it past Tamar's CSP, in the test browser only.
  const context = await browser.newContext({ bypassCSP: true });
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

async function axe(page) {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  });
}

const PAGES = [
  [null, ["/", "/departments", "/departments/IMMD", "/transparency", "/sign-in", "/register", "/verify-email?token=x", "/no-such-page"]],
  ["chan.taiman@example.hk", ["/account", "/account/identity", "/account/two-factor", "/account/contact", "/account/password"]],
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
  await page.click("[data-passkey-register]");
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
  const context = await browser.newContext({ javaScriptEnabled: false });
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
