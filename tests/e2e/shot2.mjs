import { chromium } from "playwright-core";
import { createHmac } from "node:crypto";
const [base, out, email, ...paths] = process.argv.slice(2);
function totp() {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; let bits = "";
  for (const c of "TAMARDEMOSECRETKEYFORTHEOFFICERS") bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8); counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
  const d = createHmac("sha1", key).update(counter).digest(); const s = d[d.length - 1] & 0x0f;
  return String((d.readUInt32BE(s) & 0x7fffffff) % 1000000).padStart(6, "0");
}
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
await page.goto(`${base}/en/sign-in`);
await page.fill("#email", email); await page.fill("#password", "tamar-demo-2026");
await page.click("button[type=submit].button"); await page.waitForLoadState("load");
if (page.url().includes("/sign-in/code")) { await page.fill("#code", totp()); await page.click("button[type=submit].button"); await page.waitForLoadState("load"); }
for (const path of paths) {
  let target = path;
  if (path === "FIRSTITEM") { await page.goto(`${base}/en/office/content`); target = (await page.getAttribute("table a", "href")); }
  if (path === "FIRSTMSG") { await page.goto(`${base}/tc/account/inbox`); target = (await page.getAttribute(".results a", "href")); }
  await page.goto(base + target);
  const name = target.replace(/[^a-z0-9]+/gi, "_").slice(0, 60) + ".png";
  await page.screenshot({ path: `${out}/${name}`, fullPage: true }); console.log(name);
}
await browser.close();
