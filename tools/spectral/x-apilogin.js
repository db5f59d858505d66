// Spectral rule for `cargo xtask lint`, extended by .spectral.yaml: each spec's `x-apilogin`
// (the login flow the facade runs) follows schemas/x-apilogin.schema.json, the one definition
// of the extension, which regen also checks before it writes the facade's glue.
//
// A JavaScript ruleset because a YAML one cannot load a JSON Schema from a file: Spectral does
// not resolve a `$ref` in `functionOptions`, and its ruleset bundler cannot import JSON. The
// path is relative to the workspace root, where `cargo xtask lint` runs Spectral.
const { readFileSync } = require('fs');
const { schema } = require('@stoplight/spectral-functions');

const xApilogin = JSON.parse(readFileSync('schemas/x-apilogin.schema.json', 'utf8'));

module.exports = {
  rules: {
    'apilogin-x-apilogin-schema': {
      description: 'The `x-apilogin` extension follows schemas/x-apilogin.schema.json.',
      message: 'x-apilogin: {{error}}',
      severity: 'error',
      // Only where a spec has the extension: it is optional (a spec without it is a client
      // crate only).
      given: "$['x-apilogin']",
      then: { function: schema, functionOptions: { schema: xApilogin } },
    },
  },
};
