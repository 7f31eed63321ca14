// Bundles src/staff.js into one minified IIFE, ../src/serve/staff/staff.js, which the Rust server embeds.
// `node build.mjs [OUTFILE]`: the tests build to a temporary file and compare it with the committed bundle.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const version = (name) =>
  JSON.parse(readFileSync(join(here, "node_modules", name, "package.json"), "utf8")).version;

// Every package that ends up in the bundle, with its licence; the versions are read from node_modules, so
// the banner always says what was really built.
const bundled = [
  ["age-encryption", "BSD-3-Clause"],
  ["@noble/ciphers", "MIT"],
  ["@noble/curves", "MIT"],
  ["@noble/hashes", "MIT"],
  ["@noble/post-quantum", "MIT"],
  ["@scure/base", "MIT"],
];
const banner = [
  "/* iopsite staff inbox script: opens age-encrypted inquiries in the browser; the key never leaves the tab.",
  ` * Bundles ${bundled.map(([name, licence]) => `${name} ${version(name)} (${licence})`).join(", ")};`,
  ` * bundled with esbuild ${esbuild.version}.`,
  " * Generated from staff-ui/src/staff.js: built by `cd staff-ui && npm ci && npm run build`; do not edit. */",
].join("\n");

const outfile = process.argv[2] ?? join(here, "..", "src", "serve", "staff", "staff.js");

const result = await esbuild.build({
  entryPoints: [join(here, "src", "staff.js")],
  outfile,
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2020"],
  minify: true,
  sourcemap: false,
  legalComments: "eof",
  charset: "ascii",
  banner: { js: banner },
  logLevel: "warning",
  metafile: true,
});

for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  console.log(`${file}: ${bytes} bytes`);
}
