// The web page in a real browser: `callscribe serve --sandbox` on a free port with a fresh data
// folder, Debian's chromium driven by playwright-core. It waits for the demo call to be done,
// searches the transcripts from the page, opens the call, checks its realtime transcript (from
// the demo's Real-Time Transcription session), plays the recording, clicks a segment and checks
// that the player jumped there.
// Any console error, page error, failed request or HTTP error answer fails the test.
//
//   node tests/browser/page_test.mjs   (scripts/browser-test.sh installs playwright-core first)
// Environment: CALLSCRIBE_BINARY (default build/callscribe), CHROMIUM (default /usr/bin/chromium),
// SCREENSHOT_DIR (default build/browser).
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE || "playwright-core");

const root = fileURLToPath(new URL("../..", import.meta.url));
const binary = process.env.CALLSCRIBE_BINARY || join(root, "build/callscribe");
const shots = process.env.SCREENSHOT_DIR || join(root, "build/browser");
const DEMO_SID = "CAdeb0ca11000000000000000000000001";
const started = Date.now();

function log(message) {
  console.log(`[browser ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
}

// Starts the service; resolves with its URL once it prints "callscribe serving on …".
function startService(dataDir) {
  const env = { ...process.env, CALLSCRIBE_LISTEN: "127.0.0.1:0", CALLSCRIBE_DATA_DIR: dataDir };
  for (const name of ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY",
    "TWILIO_API_SECRET", "TWILIO_API_BASE", "CALLSCRIBE_API_TOKEN", "CALLSCRIBE_PUBLIC_URL"])
    delete env[name];
  const child = spawn(binary, ["serve", "--sandbox"], { cwd: root, env });
  const output = [];
  child.stderr.on("data", (d) => output.push(d.toString()));
  const url = new Promise((resolveUrl, reject) => {
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d.toString();
      const match = stdout.match(/callscribe serving on (http:\/\/\S+)/);
      if (match) resolveUrl(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`callscribe exited ${code}:\n${output.join("")}`)));
  });
  return { child, url, output };
}

const failures = [];
const dataDir = mkdtempSync(join(tmpdir(), "callscribe-browser-"));
const service = startService(dataDir);
let browser;
try {
  const url = await service.url;
  log(`service on ${url}`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    // --no-sandbox: CI runs as root, where chromium's sandbox cannot start.
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
  });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on("console", (m) => { if (m.type() === "error") failures.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    // A media element cancels its own range requests when it has enough or seeks: not a failure.
    if (r.resourceType() === "media" && r.failure()?.errorText === "net::ERR_ABORTED") return;
    failures.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) failures.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });

  await page.goto(url);
  const row = page.locator(`tr[data-sid="${DEMO_SID}"]`);
  await row.waitFor({ timeout: 20000 });
  log(`demo call listed (${await row.getAttribute("data-status")})`);
  await page.locator(`tr[data-sid="${DEMO_SID}"][data-status="done"]`).waitFor({ timeout: 50000 });
  log("demo call done");
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, "calls.png"), fullPage: true });

  // Search from the page: the demo call's realtime transcript (Twilio's Real-Time
  // Transcription) introduces Sarah; the hit shows an excerpt with the word marked.
  await page.locator("#filter-q").fill("sarah");
  await page.locator("#search button[type=submit]").click();
  const mark = page.locator(`tr[data-sid="${DEMO_SID}"] .snippet mark`);
  await mark.first().waitFor({ timeout: 10000 });
  if (!/^sarah$/i.test(await mark.first().innerText()))
    failures.push(`the search marks "${await mark.first().innerText()}", not Sarah`);
  const excerpt = await page.locator(`tr[data-sid="${DEMO_SID}"] .snippet`).innerText();
  if (!/calling/i.test(excerpt)) failures.push(`the search's excerpt: "${excerpt}"`);
  log(`search "sarah": ${excerpt}`);
  await page.screenshot({ path: join(shots, "search.png"), fullPage: true });
  await page.locator("#filter-q").fill("zebra");
  await page.locator("#search button[type=submit]").click();
  await page.getByText("No calls match.").waitFor({ timeout: 10000 });
  await page.locator("#search a.clear").click();
  await row.waitFor({ timeout: 10000 });
  if (await page.locator("#filter-q").inputValue() !== "") failures.push("clear left the search box filled");

  await row.locator("a").click();
  const segments = page.locator("#offline ol.segments li");
  await segments.first().waitFor({ timeout: 10000 });
  const count = await segments.count();
  log(`call view: ${count} offline segments`);
  if (count < 2) failures.push(`expected several segments, got ${count}`);
  // The call's details from its call-status callback.
  const parties = await page.locator("#parties").innerText();
  if (!/\+15005550001 → \+15005550006/.test(parties)) failures.push(`the call's numbers: "${parties}"`);
  // The demo call's Real-Time Transcription session became its realtime transcript, labelled.
  const realtime = await page.locator("#realtime").innerText();
  if (!/Agent: Hi, this is Sarah calling/.test(realtime) || !/Caller: Is it possible/.test(realtime))
    failures.push(`the realtime column lacks Twilio's transcript:\n${realtime}`);

  const audio = page.locator("audio");
  await audio.evaluate((a) => a.play());
  await page.waitForFunction(() => {
    const a = document.querySelector("audio");
    return a.readyState >= 2 && a.currentTime > 0.3;
  }, null, { timeout: 10000 });
  log(`playing: currentTime ${(await audio.evaluate((a) => a.currentTime)).toFixed(2)}s`);

  // A segment well into the call, so that landing on it is not an accident.
  const target = segments.nth(Math.min(count - 1, Math.max(1, Math.floor(count / 2))));
  const start = Number(await target.getAttribute("data-start"));
  await target.locator("button.time").click();
  await page.waitForFunction((s) => {
    const a = document.querySelector("audio");
    return a.currentTime >= s - 0.05 && a.currentTime < s + 2;
  }, start, { timeout: 5000 });
  log(`segment at ${start}s clicked: currentTime ${(await audio.evaluate((a) => a.currentTime)).toFixed(2)}s`);
  await audio.evaluate((a) => a.pause());
  const text = await page.locator("main").innerText();
  if (/\b(null|undefined|NaN)\b/.test(text)) failures.push(`the call view shows a raw value:\n${text}`);
  // The demo runs without CALLSCRIBE_WEBHOOK_URL: nothing was sent, and the page must say so.
  const webhook = await page.locator("#webhook").innerText();
  if (!/not configured/.test(webhook)) failures.push(`webhook state: "${webhook}"`);
  if (/delivered/.test(text)) failures.push(`the call view claims a delivery:\n${text}`);
  await page.screenshot({ path: join(shots, "call.png"), fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, "call-phone.png"), fullPage: true });
  log(`screenshots in ${shots}`);

  // Re-transcribe is a JSON POST from the page's own origin: the service accepts it.
  const [retranscribed] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/retranscribe"), { timeout: 10000 }),
    page.locator("#retranscribe").click(),
  ]);
  if (retranscribed.status() !== 202) failures.push(`re-transcribe answered ${retranscribed.status()}`);
  log(`re-transcribe: ${retranscribed.status()}`);
} catch (error) {
  failures.push(`${error.message}`);
} finally {
  if (browser) await browser.close();
  service.child.kill("SIGTERM");
  const exitCode = await new Promise((r) =>
    service.child.exitCode !== null ? r(service.child.exitCode) : service.child.on("exit", (code) => r(code)));
  // A crash or a sanitizer's report must not pass: SIGTERM ends the service with 0.
  if (exitCode !== 0) failures.push(`callscribe serve exited ${exitCode} on SIGTERM`);
  rmSync(dataDir, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`browser test FAILED:\n  ${failures.join("\n  ")}`);
  console.error(`service log:\n${service.output.join("")}`);
  process.exit(1);
}
log("browser test passed");
