// docs/openapi.yaml against the service: the document is valid OpenAPI 3.1 (a real validator),
// GET /openapi.json serves exactly it, and the answers of `callscribe serve --sandbox` (every GET
// route with the demo call, and the error answers 400, 401, 403, 404, 415, 416) and the demo
// call's webhook match the statuses, media types and schemas the document gives. Only 127.0.0.1.
//
//   node tests/openapi/openapi_test.mjs   (scripts/openapi-test.sh installs the packages)
// Environment: CALLSCRIBE_BINARY (default build/callscribe), OPENAPI_NODE_MODULES.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";

import { bundle, openApiErrors, responseChecker } from "./openapi_document.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const binary = process.env.CALLSCRIBE_BINARY || join(root, "build/callscribe");
const DEMO = "CAdeb0ca11000000000000000000000001";
const UNKNOWN = "CA00000000000000000000000000000000";
const TOKEN = "openapi-test-api-token";
const auth = { authorization: `Bearer ${TOKEN}` };
const failures = [];
const started = Date.now();
const log = (m) => console.log(`[openapi ${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`);

// A webhook receiver on 127.0.0.1: resolves `first` with the first body it is sent.
async function startReceiver() {
  let deliver;
  const first = new Promise((r) => { deliver = r; });
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => { res.writeHead(204).end(); deliver(Buffer.concat(chunks).toString("utf8")); });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}/hooks`, first, close: () => server.close() };
}

// Starts the service; resolves with its URL once it prints "callscribe serving on …".
function startService(dataDir, webhookUrl) {
  const env = { ...process.env, CALLSCRIBE_LISTEN: "127.0.0.1:0", CALLSCRIBE_DATA_DIR: dataDir,
    CALLSCRIBE_API_TOKEN: TOKEN, CALLSCRIBE_WEBHOOK_URL: webhookUrl };
  for (const name of ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY",
    "TWILIO_API_SECRET", "TWILIO_API_BASE", "CALLSCRIBE_PUBLIC_URL", "CALLSCRIBE_WEBHOOK_SECRET",
    "CALLSCRIBE_WEBHOOK_VERSION"])
    delete env[name];
  const child = spawn(binary, ["serve", "--sandbox"], { cwd: root, env });
  const output = [];
  child.stderr.on("data", (d) => output.push(d.toString()));
  const exited = new Promise((r) => child.on("exit", (code) => r(code)));
  const url = new Promise((resolveUrl, reject) => {
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d.toString();
      const match = stdout.match(/callscribe serving on (http:\/\/\S+)/);
      if (match) resolveUrl(match[1]);
    });
    exited.then((code) => reject(new Error(`callscribe exited ${code}:\n${output.join("").slice(-3000)}`)));
  });
  return { child, url, output, exited };
}

async function request(base, method, path, headers = {}, body = undefined) {
  const response = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(20000) });
  return { status: response.status, type: response.headers.get("content-type"),
    body: Buffer.from(await response.arrayBuffer()) };
}

async function demoCallDone(base) {
  const deadline = Date.now() + 90000;
  for (;;) {
    const r = await request(base, "GET", `/api/calls/${DEMO}`, auth);
    if (r.status === 200 && JSON.parse(r.body).status === "done") return;
    if (Date.now() > deadline) throw new Error(`the demo call is not done within 90 s (last: ${r.status} ${r.body})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const document = bundle(join(root, "docs/openapi.yaml"));
const errors = await openApiErrors(document);
if (errors.length) failures.push(`docs/openapi.yaml is not valid OpenAPI 3.1:\n  ${errors.join("\n  ")}`);
else log("docs/openapi.yaml is valid OpenAPI 3.1");
// The validator must be able to say no, or the line above proves nothing.
const broken = structuredClone(document);
broken.paths["/healthz"].get.responses = { 200: { content: {} } };
if ((await openApiErrors(broken)).length === 0) failures.push("the OpenAPI validator accepts a response without a description");
const checker = responseChecker(document);
if (checker.check("GET", "/healthz", 200, "text/plain", Buffer.from("no\n")).length === 0)
  failures.push("the response checker accepts a body its schema refuses");

const jsonPost = { "content-type": "application/json", ...auth };
// [method, path, headers, expected status, body]
const cases = [
  ["GET", "/healthz", {}, 200],
  ["GET", "/readyz", {}, 200],
  ["GET", "/metrics", {}, 200],
  ["GET", "/openapi.json", {}, 200],
  ["GET", "/", {}, 200],
  ["GET", "/assets/app.js", {}, 200],
  ["GET", "/assets/nope.js", {}, 404],
  ["GET", "/api/calls", auth, 200],
  ["GET", "/api/calls?limit=1&status=done", auth, 200],
  ["GET", "/api/calls?q=the&source=offline&since=2020-01-01", auth, 200],
  ["GET", "/api/calls?q=zzzzunheard", auth, 200],
  ["GET", "/api/calls?q=the&before=CA00000000000000000000000000000000", auth, 400],
  ["GET", "/api/calls?offset=1", auth, 400],
  ["GET", `/api/calls/${DEMO}`, auth, 200],
  ["GET", `/api/calls/${DEMO}/live`, auth, 200],
  ["GET", `/api/calls/${DEMO}/transcript`, auth, 200],
  ["GET", `/api/calls/${DEMO}/transcript?format=json`, auth, 200],
  ["GET", `/api/calls/${DEMO}/transcript?format=srt`, auth, 200],
  ["GET", `/api/calls/${DEMO}/transcript?format=vtt`, auth, 200],
  ["GET", `/api/calls/${DEMO}/download`, auth, 200],
  ["GET", `/api/calls/${DEMO}/download`, { range: "bytes=0-99", ...auth }, 206],
  ["GET", `/api/calls/${DEMO}/download`, { range: "bytes=999999999-", ...auth }, 416],
  ["GET", "/api/calls", {}, 401],
  ["GET", `/api/calls/${DEMO}`, { authorization: "Bearer wrong" }, 401],
  ["GET", "/api/calls?limit=0", auth, 400],
  ["GET", "/api/calls?status=lost", auth, 400],
  ["GET", "/api/calls?before=CA123", auth, 400],
  ["GET", "/api/calls/CA123", auth, 400],
  ["GET", `/api/calls/${DEMO}/transcript?format=doc`, auth, 400],
  ["GET", `/api/calls/${UNKNOWN}`, auth, 404],
  ["GET", `/api/calls/${UNKNOWN}/live`, auth, 404],
  ["GET", `/api/calls/${UNKNOWN}/transcript`, auth, 404],
  ["GET", `/api/calls/${UNKNOWN}/download`, auth, 404],
  ["POST", `/api/calls/${UNKNOWN}/retranscribe`, jsonPost, 404, "{}"],
  ["POST", `/api/calls/${DEMO}/end`, { ...auth, "content-type": "text/plain" }, 415, "{}"],
  ["POST", `/api/calls/${DEMO}/end`, { ...jsonPost, origin: "https://elsewhere.example" }, 403, "{}"],
  ["POST", `/api/calls/${DEMO}/end`, jsonPost, 400, "[]"],
  ["POST", "/twilio/call-status", { "content-type": "application/x-www-form-urlencoded" }, 403,
    `CallSid=${DEMO}&CallStatus=completed`],
  ["GET", "/twilio/media", {}, 426],
];

const dataDir = mkdtempSync(join(tmpdir(), "callscribe-openapi-"));
const receiver = await startReceiver();
const service = startService(dataDir, receiver.url);
try {
  const base = await service.url;
  log(`service on ${base}`);
  await demoCallDone(base);
  log("demo call done");
  // unref: the timer must not keep node running once the test is done.
  const webhook = await Promise.race([receiver.first, new Promise((_, reject) =>
    setTimeout(() => reject(new Error("no webhook within 30 s")), 30000).unref())]);
  failures.push(...checker.checkWebhook("callTranscript", JSON.parse(webhook)));
  log("the demo call's webhook checked");
  const served = await request(base, "GET", "/openapi.json");
  if (!isDeepStrictEqual(JSON.parse(served.body), document))
    failures.push("GET /openapi.json is not the document of docs/openapi.yaml (rebuild?)");
  for (const [method, path, headers, expected, body] of cases) {
    const r = await request(base, method, path, headers, body);
    if (r.status !== expected) {
      failures.push(`${method} ${path}: status ${r.status}, expected ${expected}: ${r.body.toString().slice(0, 300)}`);
      continue;
    }
    const problems = checker.check(method, path.split("?")[0], r.status, r.type, r.body);
    failures.push(...problems);
    log(`${method} ${path} → ${r.status} ${problems.length ? "DOES NOT MATCH" : "matches"}`);
  }
} catch (error) {
  failures.push(`${error.message}\nservice log:\n${service.output.join("").slice(-3000)}`);
} finally {
  service.child.kill("SIGTERM");
  const code = await service.exited;
  if (code !== 0) failures.push(`callscribe serve exited ${code} on SIGTERM`);
  receiver.close();
  rmSync(dataDir, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`openapi test FAILED:\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
console.log(`openapi test passed: ${cases.length} answers match docs/openapi.yaml`);
