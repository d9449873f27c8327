// docs/openapi.yaml as clients see it: read with the `yaml` package (not the build's Python
// bundler, so the two check each other), bundled, validated as OpenAPI 3.1 by
// @seriousme/openapi-schema-validator, and a checker of HTTP answers against its schemas
// (ajv's JSON Schema 2020-12 validator, the dialect of OpenAPI 3.1).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const modules = process.env.OPENAPI_NODE_MODULES;
const require = createRequire(modules ? join(modules, "x.js") : import.meta.url);
const YAML = require("yaml");
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;
const { Validator } = await import(require.resolve("@seriousme/openapi-schema-validator"));

// The document with every "other.yaml#/components/…" $ref made local and the other files'
// components merged in (docs/openapi.yaml says why it is split).
export function bundle(rootPath) {
  const folder = dirname(rootPath);
  const files = new Map();
  const load = (name) => {
    if (!files.has(name)) files.set(name, YAML.parse(readFileSync(join(folder, name), "utf8")));
    return files.get(name);
  };
  const rewrite = (node) => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== "object") return node;
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && !value.startsWith("#")) {
        const [file, pointer] = value.split("#");
        load(file);
        out[key] = `#${pointer}`;
      } else {
        out[key] = rewrite(value);
      }
    }
    return out;
  };
  const rootName = rootPath.slice(folder.length + 1);
  const document = rewrite(load(rootName));
  const merged = new Set([rootName]);
  for (let again = true; again;) {
    again = false;
    for (const name of [...files.keys()].filter((n) => !merged.has(n))) {
      merged.add(name);
      again = true;
      for (const [kind, entries] of Object.entries(rewrite(files.get(name)).components ?? {}))
        Object.assign((document.components ??= {})[kind] ??= {}, entries);
    }
  }
  return document;
}

// The OpenAPI validator's verdict: [] when valid, else its errors as lines.
export async function openApiErrors(document) {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document));
  if (result.valid && validator.version !== "3.1") return [`validated as OpenAPI ${validator.version}, not 3.1`];
  return result.valid ? [] : result.errors.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

const unescape = (part) => part.replace(/~1/g, "/").replace(/~0/g, "~");
const escape = (part) => part.replace(/~/g, "~0").replace(/\//g, "~1");

// Checks answers against the document: checker.check(method, path, status, contentType, body)
// returns [] or the reasons the answer does not match, each naming the route and status;
// checker.checkWebhook(name, json) likewise for a webhook the service sent.
export function responseChecker(document) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema({ ...structuredClone(document), $id: "openapi.json" });
  const resolve = (node) => {
    while (node && node.$ref) {
      node = node.$ref.slice(2).split("/").map(unescape).reduce((n, p) => n?.[p], document);
    }
    return node;
  };
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    regex: new RegExp(`^${template.replace(/[.]/g, "\\.").replace(/\{[^}]+\}/g, "[^/]+")}$`),
  }));
  const validators = new Map();
  const schemaValidator = (pointer) => {
    if (!validators.has(pointer)) validators.set(pointer, ajv.getSchema(`openapi.json#${pointer}`));
    return validators.get(pointer);
  };

  const matches = (at, value, label) => {
    const validate = schemaValidator(at);
    if (!validate) return [`${label}: no schema at ${at}`];
    if (validate(value)) return [];
    return validate.errors.map((e) => `${label}: the body does not match ${at}: ${e.instancePath || "(root)"} ${e.message} ${JSON.stringify(e.params)}`);
  };

  return {
    // A webhook's JSON body against the document's `webhooks` entry.
    checkWebhook(name, body) {
      return matches(`/webhooks/${escape(name)}/post/requestBody/content/application~1json/schema`,
        body, `webhook ${name}`);
    },
    check(method, path, status, contentType, body) {
      const route = `${method} ${path} → ${status}`;
      const found = templates.find((t) => t.regex.test(path));
      const operation = found && document.paths[found.template][method.toLowerCase()];
      if (!operation) return [`${route}: ${method} ${path} is not in the document`];
      const responses = operation.responses ?? {};
      const code = String(status);
      const key = code in responses ? code : `${code[0]}XX` in responses ? `${code[0]}XX` : null;
      if (!key) return [`${route}: status ${status} is not documented for ${method} ${found.template}`];
      const response = resolve(responses[key]);
      const media = (contentType ?? "").split(";")[0].trim();
      if (!response.content) {
        return body.length === 0 ? [] : [`${route}: a body (${media}) where the document has none`];
      }
      if (!(media in response.content)) {
        return [`${route}: Content-Type ${media || "(none)"} is not one of ${Object.keys(response.content).join(", ")}`];
      }
      // Where the schema is: a $ref'd response lives under components, an inline one here.
      const at = responses[key].$ref
        ? `${responses[key].$ref.slice(1)}/content/${escape(media)}/schema`
        : `/paths/${escape(found.template)}/${method.toLowerCase()}/responses/${key}/content/${escape(media)}/schema`;
      if (!response.content[media].schema) return [];
      let value = body.toString("utf8");
      if (media === "application/json") {
        try {
          value = JSON.parse(value);
        } catch (error) {
          return [`${route}: the body is not JSON (${error.message})`];
        }
      } else if (!media.startsWith("text/")) {
        return []; // audio: its schema only names the media type
      }
      return matches(at, value, route);
    },
  };
}
