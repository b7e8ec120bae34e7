// Builds conference/static/ from the pinned govuk-frontend package: compiled CSS, JS, images.
import { cpSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import * as sass from "sass";

const dist = "node_modules/govuk-frontend/dist/govuk";
const out = "conference/static";
rmSync(`${out}/govuk`, { recursive: true, force: true });
rmSync(`${out}/css`, { recursive: true, force: true });
mkdirSync(`${out}/css`, { recursive: true });
mkdirSync(`${out}/govuk`, { recursive: true });
cpSync(`${dist}/assets/images`, `${out}/govuk/images`, { recursive: true });
cpSync(`${dist}/govuk-frontend.min.js`, `${out}/govuk/govuk-frontend.min.js`);
const result = sass.compile("conference/assets/main.scss", {
  style: "compressed",
  importers: [new sass.NodePackageImporter()],
  loadPaths: ["conference/assets"],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(`${out}/css/convene.css`, result.css);
console.log(`built ${out}/css/convene.css (${result.css.length} bytes)`);
