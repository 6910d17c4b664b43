// The console's sign-in and example editing in headless chromium (tests/browser/test_admin_signin.py).
// Scenario (one JSON line on stdin): {"viewport": {...}, "steps": [...]}, each step one of
//   {"goto": url} | {"fill": selector, "value": text} | {"click": selector} (waits for the page)
//   {"read": selector, "as": name} | {"readAll": selector, "as": name} | {"url": name}
//   {"screenshot": path}  (the viewport only: a small picture for the README)
// The result: {"read": {...}, "blocked": [non-loopback urls]}.
import { isolatedContext, launch, readStdinLine } from "./browser.mjs";

const scenario = await readStdinLine();
const browser = await launch();
const result = { read: {}, blocked: [] };
try {
  const context = await isolatedContext(
    browser, { viewport: scenario.viewport, locale: "vi-VN" }, result.blocked,
  );
  const page = await context.newPage();
  for (const step of scenario.steps) {
    if (step.goto) await page.goto(step.goto, { waitUntil: "load" });
    else if (step.fill) await page.fill(step.fill, step.value);
    else if (step.click) {
      await Promise.all([page.waitForNavigation(), page.click(step.click)]);
    } else if (step.read) {
      const found = page.locator(step.read).first();
      result.read[step.as] = (await found.count()) ? (await found.textContent()).trim() : null;
    } else if (step.readAll) {
      result.read[step.as] = (await page.locator(step.readAll).allTextContents())
        .map((t) => t.trim());
    } else if (step.url) result.read[step.url] = page.url();
    else if (step.screenshot) await page.screenshot({ path: step.screenshot });
    else throw new Error(`unknown step ${JSON.stringify(step)}`);
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify({ result }) + "\n", () => process.exit(0));
