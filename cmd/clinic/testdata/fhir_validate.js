// Validates a FHIR R4 resource (JSON file) with the npm package "fhir"
// (the FHIR R4 structure definitions and value sets it ships): prints the
// messages and exits 0 only when the resource is valid. Used by the
// billing tests; .ci/run installs the package and sets NODE_PATH.
const {Fhir} = require('fhir');
const fs = require('fs');
const resource = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const result = new Fhir().validate(resource, {errorOnUnexpected: true});
for (const m of result.messages || []) {
  if (m.severity === 'error') {
    console.log(m.location + ': ' + m.message);
  }
}
process.exit(result.valid ? 0 : 1);
