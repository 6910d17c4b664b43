// Debian's chromium, driven by playwright-core, with nothing but loopback reachable.
// Shared by chat.mjs (the scenarios of the browser tests) and bench.mjs (scripts/bench_web.py).
import { chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export async function readStdinLine() {
  // one JSON line; what follows on stdin is left for later (chat.mjs's pauses)
  return JSON.parse(await nextLine());
}

let buffered = "";
const waiting = [];
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffered += chunk;
  let at;
  while ((at = buffered.indexOf("\n")) >= 0 && waiting.length) {
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    waiting.shift()(line);
  }
});

// The next line the driver writes on stdin.
export function nextLine() {
  return new Promise((resolve) => {
    const at = buffered.indexOf("\n");
    if (at >= 0) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      resolve(line);
    } else {
      waiting.push(resolve);
    }
  });
}

export function isLoopback(address) {
  try {
    const url = new URL(address);
    return ["data:", "blob:", "about:"].includes(url.protocol) || LOOPBACK.has(url.hostname);
  } catch {
    return false;
  }
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      // root in a container has no user namespace for the sandbox; the pages are our own
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      // every other host fails to resolve: a link to the national portal sends nothing out
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ],
  });
}

// A fresh profile (no storage) where every non-loopback request is aborted and recorded.
export async function isolatedContext(browser, options, blocked) {
  const context = await browser.newContext(options);
  await context.route("**/*", (route) => {
    if (isLoopback(route.request().url())) return route.continue();
    blocked.push(route.request().url());
    return route.abort();
  });
  return context;
}
