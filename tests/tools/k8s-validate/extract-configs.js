// Writes the Sluice configs held by ConfigMaps (data keys ending in .yaml with `pipelines:`) to
// files OUTDIR/SOURCE--CONFIGMAP--KEY (SOURCE: the YAML file's name), one path per line on stdout, so that `sluice validate -c` can
// check them. Exit 1 when there is none.
//
//   node extract-configs.js OUTDIR FILE.yaml...
import fs from "node:fs";
import path from "node:path";
import { loadDocs, sluiceConfigs } from "./lib.js";

const [outDir, ...files] = process.argv.slice(2);
if (!outDir || files.length === 0) {
  console.error("usage: node extract-configs.js OUTDIR FILE.yaml...");
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
const configs = sluiceConfigs(loadDocs(files));
for (const c of configs) {
  const source = path.basename(c.file).replace(/\.ya?ml$/, "");
  const out = path.join(outDir, `${source}--${c.configMap}--${c.key}`);
  fs.writeFileSync(out, c.text);
  console.log(out);
}
if (configs.length === 0) {
  console.error(`no Sluice config in a ConfigMap of ${files.join(" ")}`);
  process.exit(1);
}
