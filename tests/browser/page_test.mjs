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
function startService(dataDir, extraEnv = {}) {
  const env = { ...process.env, CALLSCRIBE_LISTEN: "127.0.0.1:0", CALLSCRIBE_DATA_DIR: dataDir,
    ...extraEnv };
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

// SIGTERM, once; a crash or a sanitizer's report must not pass: SIGTERM ends the service with 0.
async function stopService(running) {
  if (running.stopped) return;
  running.stopped = true;
  running.child.kill("SIGTERM");
  const exitCode = await new Promise((r) =>
    running.child.exitCode !== null ? r(running.child.exitCode) : running.child.on("exit", (code) => r(code)));
  if (exitCode !== 0) failures.push(`callscribe serve exited ${exitCode} on SIGTERM`);
}

const failures = [];
const dataDir = mkdtempSync(join(tmpdir(), "callscribe-browser-"));
const streamDir = mkdtempSync(join(tmpdir(), "callscribe-browser-stream-"));
const service = startService(dataDir);
let streamed;
let browser;
let leaving = false;
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
    // Chromium reports the end of a streamed fetch body that the page read to its end (the
    // live events, ended by the service after the final one) as aborted.
    if (/\/live$/.test(r.url()) && r.failure()?.errorText === "net::ERR_ABORTED") return;
    // Leaving the page cancels what it still had in flight.
    if (leaving && r.failure()?.errorText === "net::ERR_ABORTED") return;
    failures.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  const liveRequests = []; // the Accept header of each GET /api/calls/{sid}/live
  page.on("request", (r) => {
    if (/\/api\/calls\/CA[0-9a-f]+\/live$/.test(r.url())) liveRequests.push(r.headers().accept || "");
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
  leaving = true;
  await page.goto("about:blank"); // the page stops polling the service before it stops
  leaving = false;
  await stopService(service);

  // The demo call again, streamed to the service (CALLSCRIBE_REALTIME=stream): the call's view,
  // opened while it is spoken, shows the live transcript callscribe makes growing.
  streamed = startService(streamDir, { CALLSCRIBE_REALTIME: "stream" });
  const streamUrl = await streamed.url;
  const callUrl = `${streamUrl}/api/calls/${DEMO_SID}`;
  for (let i = 0; i < 100 && (await fetch(callUrl)).status !== 200; ++i)
    await new Promise((r) => setTimeout(r, 100));
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto(`${streamUrl}/#/calls/${DEMO_SID}`);
  const seen = [];
  let partials = 0;
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    const status = (await (await fetch(callUrl)).json()).status;
    const body = await page.locator("#realtime-body").innerText().catch(() => "");
    partials += await page.locator("#realtime-body p.partial").count();
    if (body && !/No realtime transcript/.test(body) && body !== seen[seen.length - 1]) seen.push(body);
    if (status === "done") break;
    await page.waitForTimeout(250);
  }
  log(`live transcript: ${seen.length} states, partial lines seen ${partials} times`);
  const finals = seen.map((s) => s.split("\n").filter((l) => /^(Caller|Agent): /.test(l)).length);
  if (seen.length < 4) failures.push(`the live transcript did not grow:\n${seen.join("\n---\n")}`);
  if (!finals.some((n, i) => i > 0 && n > finals[i - 1]))
    failures.push(`no utterance was added while the call went on: ${finals.join(", ")}`);
  if (partials === 0) failures.push("no partial words showed while an utterance was spoken");
  // It listened to the live transcript as Server-Sent Events, not by polling.
  log(`live requests: ${liveRequests.length} (${liveRequests.join(", ")})`);
  if (!liveRequests.length || liveRequests.some((a) => a !== "text/event-stream"))
    failures.push(`the page did not listen to the live events: ${liveRequests.join(", ")}`);
  if (liveRequests.length > 3) failures.push(`the page asked ${liveRequests.length} times for the live events`);
  const heard = await page.locator("#realtime").innerText();
  if (!/Agent: .*three thirty/.test(heard) || !/Caller: .*appointment/.test(heard))
    failures.push(`the streamed call's realtime transcript:\n${heard}`);
  // Then the offline transcript replaces it as the one chosen.
  await page.locator("#offline ol.segments li").first().waitFor({ timeout: 15000 });
  await page.screenshot({ path: join(shots, "call-streamed.png"), fullPage: true });
} catch (error) {
  failures.push(`${error.message}`);
} finally {
  if (browser) await browser.close();
  await stopService(service);
  if (streamed) await stopService(streamed);
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(streamDir, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`browser test FAILED:\n  ${failures.join("\n  ")}`);
  console.error(`service log:\n${service.output.join("")}`);
  if (streamed) console.error(`streamed service log:\n${streamed.output.join("")}`);
  process.exit(1);
}
log("browser test passed");
