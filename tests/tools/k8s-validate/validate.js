// Validates every object of the given YAML files against the Kubernetes schemas:
// kubernetes-models' validate() (the OpenAPI schema: types, required fields, enums, formats) and
// a check for fields the schema does not know (which the API server refuses). One line per
// object; exit 1 when any object fails or has no model.
//
//   node validate.js FILE.yaml...
import { loadDocs, modelClass, unknownFields } from "./lib.js";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate.js FILE.yaml...");
  process.exit(2);
}

let failures = 0;
let count = 0;
for (const { file, index, doc } of loadDocs(files)) {
  count++;
  const what = `${file} #${index + 1} ${doc.apiVersion}/${doc.kind} ${doc.metadata?.name ?? "(no name)"}`;
  const model = await modelClass(doc.apiVersion, doc.kind);
  if (!model) {
    console.log(`FAIL ${what}: no Kubernetes model for apiVersion '${doc.apiVersion}' kind '${doc.kind}'`);
    failures++;
    continue;
  }
  const problems = [];
  try {
    new model.cls(doc).validate();
  } catch (e) {
    problems.push(e.message);
  }
  problems.push(...unknownFields(doc, model.dts));
  if (problems.length) {
    failures++;
    console.log(`FAIL ${what}`);
    for (const p of problems) console.log(`     ${p}`);
  } else {
    console.log(`ok   ${what}`);
  }
}
if (count === 0) {
  console.log("FAIL no Kubernetes objects found in " + files.join(" "));
  process.exit(1);
}
console.log(`${count - failures} valid, ${failures} invalid`);
process.exit(failures ? 1 : 0);
