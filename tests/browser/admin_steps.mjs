// The staff console in headless chromium: plays a list of steps on one page and reports what it
// read. Used by tests/browser/test_admin_publish.py (through driver.run_node).
//
// Scenario (one JSON line on stdin): {"viewport": {...}, "steps": [...]}, each step one of
//   {"goto": url}                          open a page
//   {"fill": selector, "value": text}      type into a field
//   {"check": selector}                    tick a checkbox
//   {"checkIfPresent": selector, "as": name}  tick it if the page has it (records true/false)
//   {"click": selector}                    click, then wait for the navigation it causes
//   {"waitText": selector, "pattern": re, "timeout": ms}   wait until its text matches
//   {"read": selector, "as": name}         record its text (null when absent)
//   {"mark": name}                         record the time (ms since start)
//   {"screenshot": path}
// The result: {"read": {...}, "marks": {...}, "url": last url, "blocked": [non-loopback urls]}.
import { isolatedContext, launch, readStdinLine } from "./browser.mjs";

const scenario = await readStdinLine();
const browser = await launch();
const blocked = [];
const result = { read: {}, marks: {}, url: null, blocked };
const started = Date.now();
try {
  const context = await isolatedContext(
    browser, { viewport: scenario.viewport || { width: 1280, height: 800 }, locale: "vi-VN" },
    blocked,
  );
  const page = await context.newPage();
  for (const step of scenario.steps) {
    if (step.goto) {
      await page.goto(step.goto, { waitUntil: "load" });
    } else if (step.fill) {
      await page.fill(step.fill, step.value);
    } else if (step.check) {
      await page.check(step.check);
    } else if (step.checkIfPresent) {
      const present = (await page.locator(step.checkIfPresent).count()) > 0;
      if (present) await page.check(step.checkIfPresent);
      result.read[step.as] = present;
    } else if (step.click) {
      await Promise.all([page.waitForNavigation({ timeout: step.timeout || 300000 }),
                         page.click(step.click)]);
    } else if (step.waitText) {
      const pattern = new RegExp(step.pattern);
      const deadline = Date.now() + (step.timeout || 60000);
      for (;;) {
        // the training page reloads itself when a build ends: read again after a navigation
        const text = await page.locator(step.waitText).first().textContent({ timeout: 5000 })
          .catch(() => "");
        if (pattern.test(text || "")) break;
        if (Date.now() > deadline) {
          throw new Error(`${step.waitText} never matched /${step.pattern}/; last: ${text}\n` +
                          (await page.locator("main").textContent().catch(() => "")).slice(-3000));
        }
        await page.waitForTimeout(500);
      }
    } else if (step.read) {
      const found = page.locator(step.read).first();
      result.read[step.as] = (await found.count()) ? (await found.textContent()).trim() : null;
    } else if (step.mark) {
      result.marks[step.mark] = Date.now() - started;
    } else if (step.screenshot) {
      await page.screenshot({ path: step.screenshot, fullPage: true });
    } else {
      throw new Error(`unknown step ${JSON.stringify(step)}`);
    }
  }
  result.url = page.url();
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify({ result }) + "\n", () => process.exit(0));
