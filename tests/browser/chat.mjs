// Drives the chat page in Debian's chromium as a citizen would, and prints what happened as JSON.
// Run by tests/browser/driver.py: `node chat.mjs < scenario.json`. The scenario:
//   url          the chat page
//   messages     what the citizen types ("text") or clicks ({"button": "title"}), in order;
//                each waits for the bot's answer
//   failRasa     Rasa's REST channel unreachable (every call to it aborted)
//   reload       reload once at the end (the sender is kept, the greeting is not sent again)
//   probeLinks   hover and click every link of the conversation
//   injectInline try an inline <script> and an inline event handler, as an injection would
//   screenshot   a PNG path: the page once the conversation is done
// Only loopback is reachable: every other request is aborted and every other host fails to
// resolve, so clicking a link to the national portal sends nothing off this machine.
import { chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function isLoopback(address) {
  try {
    const url = new URL(address);
    return ["data:", "blob:", "about:"].includes(url.protocol) || LOOPBACK.has(url.hostname);
  } catch {
    return false;
  }
}

// Before any script of the page: record CSP violations and what a payload would set.
function watchPage() {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push({
      directive: e.violatedDirective,
      blocked: e.blockedURI,
      sample: e.sample,
    });
  });
}

function conversation() {
  return Array.from(document.querySelectorAll("#log .msg"), (el) => ({
    who: el.classList.contains("bot") ? "bot" : "user",
    text: el.textContent,
    elements: Array.from(el.querySelectorAll("*"), (child) => child.tagName.toLowerCase()),
    links: Array.from(el.querySelectorAll("a"), (a) => ({
      href: a.getAttribute("href"),
      text: a.textContent,
      target: a.getAttribute("target"),
      rel: a.getAttribute("rel"),
      attributes: a.getAttributeNames().sort(),
    })),
  }));
}

async function botAnswered(page, before, timeout) {
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll("#log .msg.bot").length > n &&
      document.getElementById("typing").textContent === "",
    before,
    { timeout },
  );
}

const botCount = (page) => page.locator("#log .msg.bot").count();

async function main() {
  const scenario = await readStdin();
  const timeout = scenario.timeoutMs ?? 60000;
  const result = {
    dialogs: [], pageErrors: [], consoleErrors: [], popups: [], blockedRequests: [],
  };
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // root in a container has no user namespace for the sandbox; the page is our own
    args: [
      "--no-sandbox",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ],
  });
  try {
    const context = await browser.newContext();
    await context.route("**/*", (route) => {
      if (isLoopback(route.request().url())) return route.continue();
      result.blockedRequests.push(route.request().url());
      return route.abort();
    });
    if (scenario.failRasa) {
      // Rasa unreachable: the page must apologise, not hang or break
      await context.route("**/webhooks/rest/webhook", (route) => route.abort());
    }
    await context.addInitScript(watchPage);
    const page = await context.newPage();
    // registered after the page itself: every page from now on is a tab a link opened
    // (noopener tabs have no opener, so page.on("popup") would miss them)
    context.on("page", (tab) => {
      result.popups.push(tab.url());
      tab.close().catch(() => {});
    });
    page.on("dialog", (dialog) => {
      result.dialogs.push(dialog.message());
      dialog.dismiss().catch(() => {});
    });
    page.on("pageerror", (error) => result.pageErrors.push(String(error)));
    page.on("console", (msg) => {
      if (msg.type() === "error") result.consoleErrors.push(msg.text());
    });

    await page.goto(scenario.url);
    await botAnswered(page, 0, timeout); // the greeting, sent once per browser
    result.greeting = await page.locator("#log .msg.bot").first().textContent();
    result.sender = await page.evaluate(() => localStorage.getItem("tldvc-sender"));

    for (const step of scenario.messages ?? []) {
      const before = await botCount(page);
      if (typeof step === "string") {
        await page.fill("#input", step);
        await page.press("#input", "Enter");
      } else {
        await page.locator(".buttons button", { hasText: step.button }).last().click();
      }
      await botAnswered(page, before, timeout);
    }
    result.buttonsLeft = await page.locator(".buttons button").allTextContents();
    result.conversation = await page.evaluate(conversation);
    if (scenario.screenshot) await page.screenshot({ path: scenario.screenshot });

    if (scenario.probeLinks) {
      for (const link of await page.locator("#log a").all()) {
        await link.hover();
        await link.click();
      }
      await page.waitForTimeout(500); // a popup or a handler runs after the click returns
      result.linksProbed = await page.locator("#log a").count();
    }
    // what the page itself (and anything the conversation planted) tried and was refused
    result.cspViolations = await page.evaluate(() => window.__cspViolations);
    result.xss = await page.evaluate(() => (typeof window.__xss === "undefined" ? null : window.__xss));

    if (scenario.injectInline) {
      await page.evaluate(() => {
        const script = document.createElement("script");
        script.textContent = "window.__inlineScript = 1";
        document.body.append(script);
        const img = document.createElement("img");
        img.setAttribute("onerror", "window.__inlineHandler = 1");
        img.src = "data:,not-an-image";
        document.body.append(img);
      });
      await page.waitForTimeout(500);
      result.inline = await page.evaluate(() => ({
        script: typeof window.__inlineScript !== "undefined",
        handler: typeof window.__inlineHandler !== "undefined",
        violations: window.__cspViolations,
      }));
    }

    if (scenario.reload) {
      await page.reload();
      await page.waitForFunction(() => document.getElementById("subtitle").textContent.includes("·"));
      await page.waitForTimeout(1000); // a greeting, if one were sent, would be on its way
      result.afterReload = {
        sender: await page.evaluate(() => localStorage.getItem("tldvc-sender")),
        messages: await page.evaluate(conversation),
        cspViolations: await page.evaluate(() => window.__cspViolations),
      };
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(result));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
