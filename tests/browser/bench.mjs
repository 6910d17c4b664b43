// Times fresh loads of the chat page in Debian's chromium (scripts/bench_web.py runs it).
// Input (first line of stdin): {url, loads, warmup, viewport}. Each load is a new browser profile
// (no cache, no stored session: a citizen's first visit). The page marks its own milestones with
// the User Timing API (web/assets/chat.js), measured from navigation start:
//   tldvc:connected           the socket is open
//   tldvc:first-bot-message   the bot's greeting is on screen
import { isolatedContext, launch, readStdinLine } from "./browser.mjs";

async function main() {
  const { url, loads = 20, warmup = 2, viewport = { width: 1280, height: 800 } } =
    await readStdinLine();
  const blocked = [];
  const timings = [];
  const browser = await launch();
  try {
    for (let i = 0; i < warmup + loads; i++) {
      const context = await isolatedContext(browser, { viewport }, blocked);
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction(
        () => performance.getEntriesByName("tldvc:first-bot-message").length > 0,
        null,
        { timeout: 60000 },
      );
      const timing = await page.evaluate(() => {
        const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
        const nav = performance.getEntriesByType("navigation")[0];
        return {
          firstBotMessage: at("tldvc:first-bot-message"),
          connected: at("tldvc:connected"),
          domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
          firstContentfulPaint: at("first-contentful-paint"),
        };
      });
      if (i >= warmup) timings.push(timing);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify({ result: { timings, blocked } }) + "\n", () =>
    process.exit(0),
  );
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
