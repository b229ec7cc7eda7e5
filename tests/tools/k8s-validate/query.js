// Evaluates a JavaScript expression over the Kubernetes objects of YAML files and prints the
// result (strings as they are, anything else as JSON): a small jq for the packaging tests.
//
//   node query.js FILE.yaml... -- 'EXPRESSION'
//
// In the expression: `docs` (the objects), `find(kind, name?)` (the first object of that kind,
// and name), `all(kind)`, `containers(obj)` (init containers first, each with `init: true|false`),
// `podSpec(obj)`, `configs` (the Sluice configs of the ConfigMaps: {configMap, key, config,
// text}), `config(configMapName)` (the parsed config of that ConfigMap) and `duration(text)`
// (a Sluice duration in seconds).
import { loadDocs, containers, podSpec, sluiceConfigs, durationSeconds } from "./lib.js";

const argv = process.argv.slice(2);
const sep = argv.indexOf("--");
if (sep < 1 || sep !== argv.length - 2) {
  console.error("usage: node query.js FILE.yaml... -- 'EXPRESSION'");
  process.exit(2);
}
const docs = loadDocs(argv.slice(0, sep)).map((d) => d.doc);
const configs = sluiceConfigs(loadDocs(argv.slice(0, sep)));
const find = (kind, name) =>
  docs.find((d) => d.kind === kind && (name === undefined || d.metadata?.name === name)) ?? null;
const all = (kind) => docs.filter((d) => d.kind === kind);
const config = (name) => configs.find((c) => c.configMap === name)?.config ?? null;
const fn = new Function(
  "docs", "find", "all", "containers", "podSpec", "configs", "config", "duration",
  `"use strict"; return (${argv[sep + 1]});`,
);
let result;
try {
  result = fn(docs, find, all, containers, podSpec, configs, config, durationSeconds);
} catch (e) {
  console.error(`query.js: ${e.message}`);
  process.exit(1);
}
console.log(typeof result === "string" ? result : JSON.stringify(result));
