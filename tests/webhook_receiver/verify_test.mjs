// A webhook receiver as an integrator writes one: `callscribe serve --sandbox` sends the demo
// call's webhook to a Node server on 127.0.0.1, which verifies it with the Standard Webhooks
// library (`standardwebhooks`, pinned in package-lock.json) and checks the payload: version 2 by
// default, exactly version 1 with CALLSCRIBE_WEBHOOK_VERSION=1. A tampered body must not verify.
//
//   node tests/webhook_receiver/verify_test.mjs   (scripts/webhook-receiver-test.sh installs it)
// Environment: CALLSCRIBE_BINARY (default build/callscribe).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const { Webhook } = require(process.env.STANDARDWEBHOOKS || "standardwebhooks");

const root = fileURLToPath(new URL("../..", import.meta.url));
const binary = process.env.CALLSCRIBE_BINARY || join(root, "build/callscribe");
const DEMO_SID = "CAdeb0ca11000000000000000000000001";
const VERSION_1_MEMBERS = ["type", "call_sid", "recording_sid", "transcript", "transcript_source",
  "recording_duration_s", "recording_url", "created_at"];
const failures = [];
const check = (ok, message) => { if (!ok) failures.push(message); };

// A receiver that keeps every request's raw body and headers.
async function startReceiver() {
  const received = [];
  const waiters = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204).end();
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const next = (timeoutMs) => new Promise((resolve, reject) => {
    if (received.length) return resolve(received.shift());
    const timer = setTimeout(() => reject(new Error(`no webhook within ${timeoutMs / 1000}s`)), timeoutMs);
    waiters.push(() => { clearTimeout(timer); resolve(received.shift()); });
  });
  return { url: `http://127.0.0.1:${server.address().port}/hooks/transcript`, next, close: () => server.close() };
}

// Runs `serve --sandbox` until its demo call's webhook arrives; returns the webhook.
async function demoWebhook(receiver, secret, extraEnv) {
  const dataDir = mkdtempSync(join(tmpdir(), "callscribe-webhook-"));
  const env = { ...process.env, CALLSCRIBE_LISTEN: "127.0.0.1:0", CALLSCRIBE_DATA_DIR: dataDir,
    CALLSCRIBE_WEBHOOK_URL: receiver.url, CALLSCRIBE_WEBHOOK_SECRET: secret, ...extraEnv };
  for (const name of ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET",
    "TWILIO_API_BASE", "CALLSCRIBE_API_TOKEN", "CALLSCRIBE_PUBLIC_URL"])
    delete env[name];
  const child = spawn(binary, ["serve", "--sandbox"], { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
  const log = [];
  child.stderr.on("data", (d) => log.push(d.toString()));
  const exited = new Promise((r) => child.on("exit", (code) => r(code)));
  try {
    return await receiver.next(90000);
  } catch (error) {
    throw new Error(`${error.message}; service log:\n${log.join("").slice(-3000)}`);
  } finally {
    child.kill("SIGTERM");
    const code = await exited;
    check(code === 0, `callscribe serve exited ${code} on SIGTERM`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const secret = `whsec_${randomBytes(24).toString("base64")}`;
const wh = new Webhook(secret);
const receiver = await startReceiver();
try {
  const v2 = await demoWebhook(receiver, secret, {});
  const event = wh.verify(v2.body, v2.headers); // throws when the signature does not verify
  console.log(`[webhook] version 2 verified: ${v2.headers["webhook-id"]}`);
  check(v2.headers["webhook-id"] === `msg_${DEMO_SID}_0`, `webhook-id ${v2.headers["webhook-id"]}`);
  check(event.version === 2 && event.type === "call.transcript", `version/type: ${event.version} ${event.type}`);
  check(event.call_sid === DEMO_SID, `call_sid ${event.call_sid}`);
  check(event.transcript_source === "offline" && event.transcript.length > 0, "an offline transcript");
  check(Array.isArray(event.segments) && event.segments.length >= 2, `segments: ${JSON.stringify(event.segments)}`);
  for (const s of event.segments ?? []) {
    check(typeof s.start === "number" && typeof s.end === "number" && s.end >= s.start, `segment times ${JSON.stringify(s)}`);
    check(["Caller", "Agent"].includes(s.speaker) && typeof s.text === "string", `segment ${JSON.stringify(s)}`);
    check(!("words" in s), "segments carry no words");
  }
  check(event.realtime_source === "twilio_rtt", `realtime_source ${event.realtime_source}`);
  check(event.audio_source === "twilio", `audio_source ${event.audio_source}`);
  check(event.from === "+15005550001" && event.to === "+15005550006", `numbers ${event.from} ${event.to}`);
  check(event.direction === "outbound-api" && event.call_status === "completed", `details ${event.direction} ${event.call_status}`);
  check(Number.isInteger(event.call_duration_s), `call_duration_s ${event.call_duration_s}`);
  check(/\/api\/calls\/CAdeb0ca1+0+1\/transcript\?format=json$/.test(event.transcript_url ?? ""), `transcript_url ${event.transcript_url}`);
  let tampered = false;
  try {
    wh.verify(v2.body.replace("\"call.transcript\"", "\"call.tampered\""), v2.headers);
  } catch {
    tampered = true;
  }
  check(tampered, "a tampered body verified");

  const v1 = await demoWebhook(receiver, secret, { CALLSCRIBE_WEBHOOK_VERSION: "1" });
  const first = wh.verify(v1.body, v1.headers);
  console.log(`[webhook] version 1 verified: ${v1.headers["webhook-id"]}`);
  check(JSON.stringify(Object.keys(first)) === JSON.stringify(VERSION_1_MEMBERS),
    `version 1 members: ${Object.keys(first).join(",")}`);
} catch (error) {
  failures.push(error.message);
} finally {
  receiver.close();
}

if (failures.length) {
  console.error(`webhook receiver test FAILED:\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
console.log("webhook receiver test passed");
