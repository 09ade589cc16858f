// Lighthouse over several pages with one Chromium: prints {url: {category: score, failing: [audit, ...]}}.
// Usage: node tests/tools/lighthouse.mjs URL... (CHROME_PATH names the browser; the test sets it).
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const categories = ["performance", "accessibility", "best-practices", "seo"];
const chrome = await chromeLauncher.launch({
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const results = {};
try {
  for (const url of process.argv.slice(2)) {
    const run = await lighthouse(url, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: categories });
    const lhr = run.lhr;
    const scores = Object.fromEntries(categories.map((name) => [name, lhr.categories[name].score]));
    const weighted = new Set(categories.flatMap((name) => lhr.categories[name].auditRefs
      .filter((ref) => ref.weight > 0).map((ref) => ref.id)));
    scores.failing = Object.values(lhr.audits)
      .filter((audit) => weighted.has(audit.id) && audit.score !== null && audit.score < 1)
      .map((audit) => `${audit.id} ${audit.score} ${audit.displayValue || ""}`.trim());
    scores.error = lhr.runtimeError ? lhr.runtimeError.message : null;
    results[url] = scores;
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(results));
