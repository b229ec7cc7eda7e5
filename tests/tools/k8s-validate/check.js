// Structural checks of Sluice's Kubernetes objects beyond the schemas, one line per check:
//  - every object has apiVersion, kind and metadata.name;
//  - every container (of Deployments, StatefulSets, DaemonSets, Pods) has an image, CPU and
//    memory requests and limits, a liveness probe (httpGet /health) and a readiness probe
//    (httpGet), probes on a port the container declares, and a locked-down securityContext
//    (no privilege escalation, read-only root filesystem, every capability dropped);
//  - workloads' selectors match their pod labels; every volume mount has its volume; configMap
//    volumes name ConfigMaps of the input;
//  - a Sluice container started with `run -c PATH` finds PATH in a mounted ConfigMap key holding a
//    Sluice config, whose admin.listen is 0.0.0.0 on the port the probes use, and the pod's
//    terminationGracePeriodSeconds is at least that config's shutdown_timeout + 10 s;
//  - Services, PodDisruptionBudgets and ServiceMonitors select something, on ports that exist.
//
//   node check.js [--containers NAME,NAME] FILE.yaml...
//
// --containers limits the container checks to those names (Spark's pod templates: the Spark
// container gets its image and command from Spark).
import { loadDocs, containers, podSpec, sluiceConfigs, durationSeconds } from "./lib.js";

let argv = process.argv.slice(2);
let only = null;
if (argv[0] === "--containers") {
  only = new Set(argv[1].split(","));
  argv = argv.slice(2);
}
if (argv.length === 0) {
  console.error("usage: node check.js [--containers NAME,NAME] FILE.yaml...");
  process.exit(2);
}
const loaded = loadDocs(argv);
const docs = loaded.map((d) => d.doc);
const configs = sluiceConfigs(loaded);
let failures = 0;
let checks = 0;

function check(what, ok, why = "") {
  checks++;
  if (ok) {
    console.log(`ok   ${what}`);
  } else {
    failures++;
    console.log(`FAIL ${what}${why ? ": " + why : ""}`);
  }
}

const label = (d) => `${d.kind}/${d.metadata?.name}`;
const matches = (selector, labels) =>
  !!selector && Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => (labels || {})[k] === v);
const workloads = docs.filter((d) => podSpec(d));
const podLabels = (w) => (w.kind === "Pod" ? w.metadata?.labels : w.spec?.template?.metadata?.labels) || {};

for (const d of docs) {
  check(`${label(d)} has apiVersion, kind and metadata.name`,
    !!d.apiVersion && !!d.kind && typeof d.metadata?.name === "string" && d.metadata.name !== "");
}

for (const w of workloads) {
  const spec = podSpec(w);
  const volumes = new Map((spec.volumes || []).map((v) => [v.name, v]));
  if (w.kind !== "Pod") {
    check(`${label(w)}: spec.selector.matchLabels select the pod template's labels`,
      matches(w.spec?.selector?.matchLabels, podLabels(w)));
  }
  for (const v of spec.volumes || []) {
    if (v.configMap) {
      check(`${label(w)}: volume ${v.name} names ConfigMap ${v.configMap.name} of the input`,
        docs.some((d) => d.kind === "ConfigMap" && d.metadata?.name === v.configMap.name));
    }
  }
  for (const c of containers(w)) {
    const where = `${label(w)} ${c.init ? "initContainer" : "container"} ${c.name}`;
    for (const m of c.volumeMounts || []) {
      check(`${where}: mount ${m.mountPath} has its volume ${m.name}`, volumes.has(m.name));
    }
    if (only && !only.has(c.name)) continue;
    check(`${where}: image`, typeof c.image === "string" && c.image.length > 0);
    const r = c.resources || {};
    check(`${where}: cpu and memory requests and limits`,
      !!(r.requests?.cpu && r.requests?.memory && r.limits?.cpu && r.limits?.memory),
      JSON.stringify(r));
    const ports = new Set((c.ports || []).flatMap((p) => [p.name, p.containerPort]).filter((x) => x !== undefined));
    check(`${where}: livenessProbe httpGet /health`, c.livenessProbe?.httpGet?.path === "/health",
      JSON.stringify(c.livenessProbe));
    check(`${where}: readinessProbe httpGet`, typeof c.readinessProbe?.httpGet?.path === "string",
      JSON.stringify(c.readinessProbe));
    for (const p of ["livenessProbe", "readinessProbe", "startupProbe"]) {
      if (c[p]?.httpGet) {
        check(`${where}: ${p} port ${c[p].httpGet.port} is a declared container port`, ports.has(c[p].httpGet.port));
      }
    }
    const sc = c.securityContext || {};
    check(`${where}: allowPrivilegeEscalation false, readOnlyRootFilesystem true, capabilities drop ALL`,
      sc.allowPrivilegeEscalation === false && sc.readOnlyRootFilesystem === true &&
        (sc.capabilities?.drop || []).includes("ALL"),
      JSON.stringify(sc));

    // The Sluice config the container runs.
    const args = [...(c.command || []), ...(c.args || [])];
    const ci = args.indexOf("-c");
    if (args.includes("run") && ci >= 0) {
      const cfgPath = args[ci + 1];
      const mount = (c.volumeMounts || []).find((m) => cfgPath.startsWith(m.mountPath + "/"));
      const vol = mount && volumes.get(mount.name);
      const key = mount && cfgPath.slice(mount.mountPath.length + 1);
      const item = vol?.configMap?.items?.find((i) => i.path === key);
      const cmKey = item ? item.key : key;
      const cfg = vol?.configMap && configs.find((x) => x.configMap === vol.configMap.name && x.key === cmKey);
      check(`${where}: -c ${cfgPath} is a Sluice config in a mounted ConfigMap`, !!cfg,
        mount ? `mount ${mount.name}, key ${cmKey}` : "no volume mounted there");
      if (!cfg) continue;
      const listen = String(cfg.config.admin?.listen ?? "127.0.0.1:9600").replace(/^\$\{[A-Z_]+:-(.*)\}$/, "$1");
      const port = Number(listen.split(":").pop());
      const probePort = c.livenessProbe?.httpGet?.port;
      const probeNumber = typeof probePort === "number" ? probePort :
        (c.ports || []).find((p) => p.name === probePort)?.containerPort;
      check(`${where}: admin.listen ${listen} is on all interfaces and on the probes' port ${probeNumber}`,
        listen.startsWith("0.0.0.0:") && port === probeNumber);
      const timeout = durationSeconds(cfg.config.shutdown_timeout ?? "30s");
      const grace = spec.terminationGracePeriodSeconds ?? 30;
      check(`${where}: terminationGracePeriodSeconds ${grace} >= shutdown_timeout ${timeout}s + 10s`,
        grace >= timeout + 10);
    }
  }
}

for (const s of docs.filter((d) => d.kind === "Service")) {
  const targets = workloads.filter((w) => matches(s.spec?.selector, podLabels(w)));
  check(`${label(s)} selects a workload's pods`, targets.length > 0);
  for (const p of s.spec?.ports || []) {
    const tp = p.targetPort ?? p.port;
    check(`${label(s)}: port ${p.name} targets a container port ${tp}`,
      targets.some((w) => containers(w).some((c) => (c.ports || []).some((cp) => cp.name === tp || cp.containerPort === tp))));
  }
}
for (const p of docs.filter((d) => d.kind === "PodDisruptionBudget")) {
  check(`${label(p)} selects a workload's pods`,
    workloads.some((w) => matches(p.spec?.selector?.matchLabels, podLabels(w))));
}
for (const m of docs.filter((d) => d.kind === "ServiceMonitor")) {
  const services = docs.filter((d) => d.kind === "Service" && matches(m.spec?.selector?.matchLabels, d.metadata?.labels));
  check(`${label(m)} selects a Service`, services.length > 0);
  for (const e of m.spec?.endpoints || []) {
    check(`${label(m)}: endpoint port ${e.port} is a port of the Service`,
      services.some((s) => (s.spec?.ports || []).some((p) => p.name === e.port)));
  }
}

console.log(`${checks - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
