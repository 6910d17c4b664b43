// Plays the chat as a citizen would, in Debian's chromium, and prints what happened as JSON.
// Run by tests/browser/driver.py: the scenario is the first line of stdin. Scenario:
//   url          the full chat page (/chat/), or a host page carrying the bubble (bubble: true)
//   bubble       the page is a city website: the chat is in the bubble's frame
//   viewport     {width, height} (default 1280x800)
//   failSocket   the socket.io server unreachable (every WebSocket to it goes to a mock that
//                closes it: the page never gets a session)
//   greeting     wait for the bot's greeting first (default: true for the full page)
//   steps        in order; each message waits for the bot's whole answer:
//     "text"                     typed into the input and sent with Enter
//     {"button": "title"}        the last quick reply with that title, clicked
//     {"keyboard": [...]}        keyboard only: {"tabTo": css} presses Tab until that element has
//                                focus (in any frame), {"tabToButton": title} the same for a quick
//                                reply, {"type": text}, {"press": key}, {"answer": key} presses it
//                                and waits for the bot's answer, {"focused": name} records where
//                                the focus is (result.keyboard)
//     {"bubble": true}           the bubble clicked (opens or closes the panel); the first time
//                                waits for the chat's greeting (greeting: false: not; chat: false:
//                                no chat frame expected, its site is not allowed to embed it)
//     {"greeting": true}         waits for the greeting of a chat opened some other way
//     {"pause": name}            prints {"pause": name} and waits for a line on stdin (the driver
//                                stops or starts a service meanwhile)
//     {"waitState": state}       until the page says connecting | ready | offline
//     {"reload": true}           the page reloaded; waits until the session is back
//     {"restart": true}          "Trò chuyện mới" clicked; waits for the new greeting
//     {"snapshot": name}         result.snapshots[name]: conversation, session, state, status...
//     {"waitAnswer": true}       until the bot says something more than at the last snapshot
//                                (the answer to a message typed while the server was away)
//     {"screenshot": path}       a PNG of the whole viewport
//     {"probeLinks": true}       hover and click every link of the conversation now
//     {"wait": ms}               only to let a refused frame show its fallback (the widget waits)
//   probeLinks   the same once the steps are done (result.linksProbed counts every link probed)
//   injectInline try an inline <script> and an inline event handler, as an injection would
// Only loopback is reachable: every other request is aborted and every other host fails to
// resolve, so clicking a link to the national portal sends nothing off this machine.
import { isolatedContext, launch, nextLine, readStdinLine } from "./browser.mjs";

// Before any script of each frame: record CSP violations, and every text the typing indicator shows.
function watchPage() {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push({
      directive: e.violatedDirective,
      blocked: e.blockedURI,
      sample: e.sample,
    });
  });
  window.__typing = [];
  document.addEventListener("DOMContentLoaded", () => {
    const typing = document.getElementById("typing");
    if (!typing) return;
    new MutationObserver(() => window.__typing.push(typing.textContent)).observe(typing, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
}

// Runs in the chat's frame.
function readChat() {
  const root = document.querySelector(".chat");
  const status = document.getElementById("status");
  let session = null;
  try {
    session = JSON.parse(sessionStorage.getItem("tldvc-chat-session"));
  } catch {
    session = null;
  }
  return {
    conversation: Array.from(document.querySelectorAll("#log .msg"), (el) => ({
      who: el.classList.contains("bot") ? "bot" : "user",
      pending: el.classList.contains("pending"),
      text: el.textContent,
      elements: Array.from(el.querySelectorAll("*"), (child) => child.tagName.toLowerCase()),
      links: Array.from(el.querySelectorAll("a"), (a) => ({
        href: a.getAttribute("href"),
        text: a.textContent,
        target: a.getAttribute("target"),
        rel: a.getAttribute("rel"),
        attributes: a.getAttributeNames().sort(),
      })),
    })),
    buttons: Array.from(document.querySelectorAll("#log .buttons button"), (b) => b.textContent),
    session,
    state: root ? root.dataset.state || "" : "",
    status: status && !status.hidden ? status.textContent : "",
    typing: document.getElementById("typing").textContent,
    subtitle: document.getElementById("subtitle").textContent,
    locality: document.getElementById("locality").textContent,
    title: document.title,
    typingShown: window.__typing,
  };
}

// Runs in every frame: does anything stick out sideways?
function layout() {
  const doc = document.documentElement;
  const wide = Array.from(document.querySelectorAll("body *"))
    .filter((el) => el.getBoundingClientRect().right > doc.clientWidth + 1)
    .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
  return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, wide: wide.slice(0, 10) };
}

function focused() {
  const el = document.activeElement;
  if (!document.hasFocus() || !el || el.tagName === "IFRAME" || el === document.body) return null;
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id || null,
    className: typeof el.className === "string" ? el.className : "",
    text: (el.textContent || "").trim().slice(0, 80),
  };
}

async function main() {
  const scenario = await readStdinLine();
  const timeout = scenario.timeoutMs ?? 60000;
  const result = {
    dialogs: [], pageErrors: [], consoleErrors: [], popups: [], blockedRequests: [],
    snapshots: {}, keyboard: [], pauses: [],
  };
  const browser = await launch();
  try {
    const viewport = scenario.viewport ?? { width: 1280, height: 800 };
    const context = await isolatedContext(browser, { viewport }, result.blockedRequests);
    if (scenario.failSocket) {
      // the chat server's socket unreachable: the page must say so, not hang or break
      await context.routeWebSocket(/\/socket\.io\//, (ws) => ws.close());
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

    const chatFrame = async () => {
      if (!scenario.bubble) return page.mainFrame();
      const deadline = Date.now() + timeout;
      for (;;) {
        const frame = page.frames().find((f) => f.url().includes("/chat/embed"));
        if (frame) {
          await frame.waitForFunction(() => document.querySelector(".chat") !== null);
          return frame;
        }
        if (Date.now() > deadline) throw new Error("the bubble's chat frame never appeared");
        await page.waitForTimeout(100);
      }
    };
    const botCount = async (chat) => chat.locator("#log .msg.bot").count();
    const answered = (chat, before) =>
      chat.waitForFunction(
        (n) =>
          document.querySelectorAll("#log .msg.bot").length > n &&
          document.getElementById("typing").textContent === "" &&
          document.querySelector(".chat").dataset.state === "ready",
        before,
        { timeout },
      );
    const waitState = (chat, state) =>
      chat.waitForFunction((s) => document.querySelector(".chat").dataset.state === s, state, {
        timeout,
      });
    // ready, header configured, and a beat for anything still on its way (a greeting, if one were
    // wrongly sent again, would show by then)
    const settled = async (chat) => {
      await waitState(chat, "ready");
      await chat.waitForFunction(() => document.querySelector(".chat").dataset.config, null, {
        timeout,
      });
      await chat.waitForFunction(() => document.getElementById("typing").textContent === "", null, {
        timeout,
      });
      await page.waitForTimeout(1000);
    };
    // Which element has the keyboard's focus, in whichever frame holds it.
    const focusedElements = async () => {
      const where = [];
      for (const frame of page.frames()) {
        const f = await frame.evaluate(focused).catch(() => null);
        if (f) where.push({ frame: frame === page.mainFrame() ? "page" : "chat", ...f });
      }
      return where;
    };
    const focusIs = async (css, title) => {
      for (const frame of page.frames()) {
        const hit = await frame
          .evaluate(
            ([selector, label]) => {
              const el = document.activeElement;
              if (!document.hasFocus() || !el || el.tagName === "IFRAME") return false;
              if (selector) return el.matches(selector);
              return el.matches("#log .buttons button") && el.textContent === label;
            },
            [css, title],
          )
          .catch(() => false);
        if (hit) return true;
      }
      return false;
    };
    const snapshot = async (chat) => ({
      ...(await chat.evaluate(readChat)),
      cspViolations: await chat.evaluate(() => window.__cspViolations),
    });

    await page.goto(scenario.url);
    let chat = scenario.bubble ? null : page.mainFrame();
    if (chat && (scenario.greeting ?? !scenario.failSocket)) {
      await answered(chat, 0); // the greeting of a new conversation
      result.greeting = await chat.locator("#log .msg.bot").first().textContent();
    }

    // Hovers and clicks every link of the conversation, as a curious victim would.
    result.linksProbed = 0;
    const probeLinks = async (frame) => {
      const links = await frame.locator("#log a").all();
      for (const link of links) {
        await link.hover();
        await link.click();
      }
      await page.waitForTimeout(500); // a popup or a handler runs after the click returns
      result.linksProbed += links.length;
    };
    let botsAtSnapshot = 0;
    for (const step of scenario.steps ?? []) {
      if (typeof step === "string" || step.button) {
        chat = chat ?? (await chatFrame());
        const before = await botCount(chat);
        if (typeof step === "string") {
          await chat.fill("#input", step);
          await chat.press("#input", "Enter");
        } else {
          await chat.locator("#log .buttons button", { hasText: step.button }).last().click();
        }
        await answered(chat, before);
      } else if (step.keyboard) {
        for (const key of step.keyboard) {
          if (key.tabTo || key.tabToButton) {
            let presses = 0;
            while (!(await focusIs(key.tabTo ?? null, key.tabToButton ?? null))) {
              if (++presses > 40) {
                const buttons = chat ? await chat.evaluate(() => Array.from(
                  document.querySelectorAll("#log .buttons button"), (b) => b.textContent)) : [];
                throw new Error(
                  `Tab never reached ${key.tabTo ?? key.tabToButton} (buttons: ${buttons})`);
              }
              await page.keyboard.press("Tab");
            }
            result.keyboard.push({ to: key.tabTo ?? key.tabToButton, presses });
          } else if (key.type !== undefined) {
            await page.keyboard.type(key.type);
          } else if (key.answer) {
            chat = chat ?? (await chatFrame());
            const before = await botCount(chat);
            await page.keyboard.press(key.answer);
            await answered(chat, before);
          } else if (key.press) {
            await page.keyboard.press(key.press);
          } else if (key.focused) {
            result.keyboard.push({ focused: key.focused, where: await focusedElements() });
          }
        }
      } else if (step.bubble) {
        await page.locator(".tldvc-bubble").click();
        if (!chat && step.chat !== false) {
          chat = await chatFrame();
          if (step.greeting !== false) {
            await answered(chat, 0);
            result.greeting = await chat.locator("#log .msg.bot").first().textContent();
          }
        }
      } else if (step.greeting) {
        chat = await chatFrame();
        await answered(chat, 0);
        result.greeting = await chat.locator("#log .msg.bot").first().textContent();
      } else if (step.pause) {
        process.stdout.write(JSON.stringify({ pause: step.pause }) + "\n");
        await nextLine();
        result.pauses.push(step.pause);
      } else if (step.waitState) {
        chat = chat ?? (await chatFrame());
        await waitState(chat, step.waitState);
      } else if (step.reload) {
        await page.reload();
        chat = scenario.bubble ? await chatFrame() : page.mainFrame();
        await settled(chat);
      } else if (step.restart) {
        await chat.click("#restart");
        await answered(chat, 0);
      } else if (step.probeLinks) {
        await probeLinks(chat);
      } else if (step.waitAnswer) {
        await answered(chat, botsAtSnapshot);
      } else if (step.snapshot) {
        botsAtSnapshot = chat ? await botCount(chat) : 0;
        result.snapshots[step.snapshot] = {
          ...(chat ? await snapshot(chat) : {}),
          layout: { page: await page.evaluate(layout), chat: chat && (await chat.evaluate(layout)) },
          bubble: await page.evaluate(() => {
            const bubble = document.querySelector(".tldvc-bubble");
            const panel = document.querySelector(".tldvc-panel");
            if (!bubble) return null;
            const box = panel && !panel.hidden ? panel.getBoundingClientRect() : null;
            return {
              expanded: bubble.getAttribute("aria-expanded"),
              panelHidden: panel ? panel.hidden : null,
              panel: box && { width: box.width, height: box.height },
              fallback: panel && panel.querySelector(".tldvc-fallback")
                ? panel.querySelector(".tldvc-fallback").textContent : null,
              fallbackLink: panel && panel.querySelector(".tldvc-fallback a")
                ? panel.querySelector(".tldvc-fallback a").href : null,
              focusedBubble: document.activeElement === bubble,
            };
          }),
        };
      } else if (step.screenshot) {
        await page.screenshot({ path: step.screenshot });
      } else if (step.wait) {
        await page.waitForTimeout(step.wait); // only to let a refused frame show its fallback
      }
    }

    chat = chat ?? (scenario.bubble ? null : page.mainFrame());
    if (chat) {
      const final = await snapshot(chat);
      Object.assign(result, {
        conversation: final.conversation,
        buttonsLeft: final.buttons,
        session: final.session,
        final,
      });
    }

    if (scenario.probeLinks && chat) await probeLinks(chat);
    // what the page itself (and anything the conversation planted) tried and was refused
    result.cspViolations = [];
    result.xss = null;
    for (const frame of page.frames()) {
      result.cspViolations.push(...((await frame.evaluate(() => window.__cspViolations).catch(() => [])) ?? []));
      const planted = await frame.evaluate(() => (typeof window.__xss === "undefined" ? null : window.__xss)).catch(() => null);
      result.xss = result.xss ?? planted;
    }

    if (scenario.injectInline && chat) {
      await chat.evaluate(() => {
        const script = document.createElement("script");
        script.textContent = "window.__inlineScript = 1";
        document.body.append(script);
        const img = document.createElement("img");
        img.setAttribute("onerror", "window.__inlineHandler = 1");
        img.src = "data:,not-an-image";
        document.body.append(img);
      });
      await page.waitForTimeout(500);
      result.inline = await chat.evaluate(() => ({
        script: typeof window.__inlineScript !== "undefined",
        handler: typeof window.__inlineHandler !== "undefined",
        violations: window.__cspViolations,
      }));
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify({ result }) + "\n", () => process.exit(0));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
