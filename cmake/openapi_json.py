#!/usr/bin/env python3
"""Bundles docs/openapi.yaml (and the files its $refs name) into one JSON document: the one
GET /openapi.json serves. Run by the build (CMakeLists.txt):

    python3 cmake/openapi_json.py docs/openapi.yaml OUTPUT.json

The YAML is split only to keep each file short: a $ref into another file points at the same
place the bundle puts it ("openapi-components.yaml#/components/schemas/Call" becomes
"#/components/schemas/Call"), so bundling is a merge of the other files' `components` and a
rewrite of those $refs. Anything else (a clash, a $ref to a place the file does not have) stops
the build with a message naming it.
"""
import json
import os
import sys

import yaml  # Debian: python3-yaml


def fail(message):
    sys.exit(f"openapi_json.py: {message}")


def pointer(document, path):
    node = document
    for part in path.lstrip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def bundle(root_path):
    folder = os.path.dirname(root_path)
    loaded = {}

    def load(name):
        if name not in loaded:
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                loaded[name] = yaml.safe_load(f)
        return loaded[name]

    def rewrite(node, source):
        if isinstance(node, list):
            return [rewrite(item, source) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                file, _, path = value.partition("#")
                target = load(file) if file else load(source)
                if pointer(target, path) is None:
                    fail(f"{source}: $ref {value} names nothing")
                if file and not path.startswith("/components/"):
                    fail(f"{source}: $ref {value}: only components may live in another file")
                value = "#" + path
            out[key] = rewrite(value, source)
        return out

    root_name = os.path.basename(root_path)
    document = rewrite(load(root_name), root_name)
    merged = set()
    while len(merged) < len(loaded) - 1:  # files found while rewriting the others
        for name in [n for n in loaded if n != root_name and n not in merged]:
            merged.add(name)
            extra = rewrite(load(name), name)
            if set(extra) != {"components"}:
                fail(f"{name}: may hold `components` only")
            for kind, entries in extra["components"].items():
                target = document.setdefault("components", {}).setdefault(kind, {})
                for entry, value in entries.items():
                    if entry in target:
                        fail(f"{name}: components/{kind}/{entry} is defined twice")
                    target[entry] = value
    return document


def main():
    if len(sys.argv) != 3:
        fail("usage: openapi_json.py docs/openapi.yaml OUTPUT.json")
    document = bundle(sys.argv[1])
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    temporary = sys.argv[2] + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(temporary, sys.argv[2])


if __name__ == "__main__":
    main()
