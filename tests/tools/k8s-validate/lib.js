// Shared helpers of the Kubernetes manifest tools in this folder (validate.js, check.js,
// query.js, extract-configs.js): reading multi-document YAML, Kubernetes models by apiVersion and
// kind, Sluice durations, and the unknown-field check.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeModules = path.join(here, "node_modules");

// Every non-empty document of the YAML files, as {file, index, doc}.
export function loadDocs(files) {
  const out = [];
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    const docs = YAML.parseAllDocuments(text);
    docs.forEach((d, index) => {
      if (d.errors.length) {
        throw new Error(`${file}: document ${index + 1}: ${d.errors.map((e) => e.message).join("; ")}`);
      }
      const doc = d.toJS({ maxAliasCount: 100 });
      if (doc !== null && doc !== undefined) out.push({ file, index, doc });
    });
  }
  return out;
}

// Where the model of an apiVersion lives: kubernetes-models for Kubernetes' own groups,
// @kubernetes-models/prometheus-operator for monitoring.coreos.com.
function modelDir(apiVersion) {
  if (apiVersion === "monitoring.coreos.com/v1") {
    return "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
  }
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) return null;
  return `kubernetes-models/${apiVersion}`;
}

// The model class of an object, or null when kubernetes-models has none.
export async function modelClass(apiVersion, kind) {
  const dir = modelDir(apiVersion || "");
  if (!dir || !/^[A-Za-z]+$/.test(kind || "")) return null;
  if (!fs.existsSync(path.join(nodeModules, dir, `${kind}.js`))) return null;
  const mod = await import(`${dir}/${kind}`);
  return { cls: mod[kind], dts: path.join(nodeModules, dir, `${kind}.d.ts`) };
}

// Sluice durations (docs/configuration.md#durations) in seconds: 30s, 1m30s, 500ms, 0.
export function durationSeconds(text) {
  const s = String(text).trim();
  if (s === "0") return 0;
  const unit = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };
  const re = /(\d+)(ns|us|ms|s|m|h|d)/gy;
  let total = 0;
  let end = 0;
  let m;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * unit[m[2]];
    end = re.lastIndex;
  }
  if (end !== s.length || end === 0) throw new Error(`not a Sluice duration: '${text}'`);
  return total;
}

// --- Unknown fields -------------------------------------------------------------------------
// The OpenAPI schemas allow properties they do not list, so a misspelled `livenesProbe` passes
// validate(). The API server rejects such fields (kubectl's default field validation is Strict),
// so this check does too: it reads the property names and types of each model from the
// declarations (.d.ts) that kubernetes-models ships, and walks the object with them.

const declCache = new Map();

function resolveImport(fromFile, spec) {
  if (spec.startsWith(".")) return path.resolve(path.dirname(fromFile), spec.replace(/\.js$/, ".d.ts"));
  // A package path: the nearest node_modules that has it, as Node resolves packages.
  let dir = path.dirname(fromFile);
  for (;;) {
    const candidate = path.join(dir, "node_modules", `${spec.replace(/\.js$/, "")}.d.ts`);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

// {props: Map(name -> type text), imports: Map(identifier -> .d.ts path)} of the class declared
// in a .d.ts file (the class lists inherited properties too), or null for type aliases
// (IntOrString, Quantity, Time: leaves).
function declaration(file) {
  if (declCache.has(file)) return declCache.get(file);
  let result = null;
  if (file && fs.existsSync(file)) {
    const text = fs.readFileSync(file, "utf8").replace(/\/\*\*[\s\S]*?\*\//g, "");
    const imports = new Map();
    for (const m of text.matchAll(/import \{([^}]*)\} from "([^"]+)";/g)) {
      for (const name of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
        imports.set(name.split(/\s+as\s+/).pop(), resolveImport(file, m[2]));
      }
    }
    const start = text.search(/export declare class \w+[^{]*\{/);
    if (start >= 0) {
      const props = new Map();
      let i = text.indexOf("{", start) + 1;
      let depth = 1;
      let line = "";
      const lines = [];
      for (; i < text.length && depth > 0; i++) {
        const c = text[i];
        if (c === "{") depth++;
        if (c === "}") depth--;
        if (depth === 0) break;
        line += c;
        if (c === ";" && depth === 1) {
          lines.push(line.trim());
          line = "";
        }
      }
      for (const l of lines) {
        const m = l.match(/^"([^"]+)"\??:\s*([\s\S]*);$/);
        if (m) props.set(m[1], m[2].replace(/\s+/g, " "));
      }
      result = { props, imports };
    }
  }
  declCache.set(file, result);
  return result;
}

function typeFile(decl, type) {
  const id = type.trim();
  return /^\w+$/.test(id) && decl.imports.has(id) ? decl.imports.get(id) : null;
}

// Problems (strings) for fields of `value` that its model does not have.
export function unknownFields(value, dtsFile, where = "") {
  const decl = declaration(dtsFile);
  if (!decl || value === null || typeof value !== "object" || Array.isArray(value)) return [];
  const problems = [];
  for (const [key, v] of Object.entries(value)) {
    const at = where ? `${where}.${key}` : key;
    if (!decl.props.has(key)) {
      const known = [...decl.props.keys()].join(", ");
      problems.push(`unknown field ${at} (known here: ${known})`);
      continue;
    }
    const type = decl.props.get(key);
    let m;
    if ((m = type.match(/^Array<(\w+)>$/))) {
      const f = typeFile(decl, m[1]);
      if (f && Array.isArray(v)) v.forEach((e, i) => problems.push(...unknownFields(e, f, `${at}[${i}]`)));
    } else if ((m = type.match(/^\{ \[key: string\]: (\w+); \}$/))) {
      const f = typeFile(decl, m[1]);
      if (f && v && typeof v === "object") {
        for (const [k, e] of Object.entries(v)) problems.push(...unknownFields(e, f, `${at}.${k}`));
      }
    } else {
      const f = typeFile(decl, type);
      if (f) problems.push(...unknownFields(v, f, at));
    }
  }
  return problems;
}

// The containers of a workload or pod object (init containers first), with their pod spec.
export function podSpec(obj) {
  if (!obj || !obj.kind) return null;
  if (obj.kind === "Pod") return obj.spec || null;
  if (["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"].includes(obj.kind)) {
    return obj.spec?.template?.spec || null;
  }
  return null;
}

export function containers(obj) {
  const spec = podSpec(obj);
  if (!spec) return [];
  return [
    ...(spec.initContainers || []).map((c) => ({ ...c, init: true })),
    ...(spec.containers || []).map((c) => ({ ...c, init: false })),
  ];
}

// The Sluice config held by a ConfigMap key ending in .yaml that has `pipelines:`.
export function sluiceConfigs(docs) {
  const out = [];
  for (const { file, doc } of docs) {
    if (doc.kind !== "ConfigMap") continue;
    for (const [key, text] of Object.entries(doc.data || {})) {
      if (!/\.ya?ml$/.test(key) || typeof text !== "string") continue;
      const config = YAML.parse(text);
      if (config && typeof config === "object" && config.pipelines) {
        out.push({ file, configMap: doc.metadata?.name, key, text, config });
      }
    }
  }
  return out;
}
