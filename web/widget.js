// The chat bubble for any city website: one tag, placed anywhere in the page.
//
//   <script src="https://CHAT-SERVER/chat/widget.js" defer
//           data-open="false" data-position="right" data-locality="Phường Bến Thành"></script>
//
// This script runs in the host page and only draws the bubble and an empty panel. The chat itself
// is the page /chat/embed of the chat server, in a frame: the conversation (a dossier's status,
// names, phone numbers) stays in the chat server's origin, under its own Content-Security-Policy,
// out of reach of the host page's other scripts, and the socket goes to the chat server. That
// server lets only the sites of its ALLOWED_ORIGINS frame the chat (CSP frame-ancestors); elsewhere
// the panel offers a link to the full page instead. See web/README.md.
(() => {
  "use strict";

  if (window.__tldvcWidget) return; // the tag twice on one page: one bubble
  window.__tldvcWidget = true;

  const script = document.currentScript;
  if (!script || !script.src) return;
  const base = new URL(".", script.src); // .../chat/
  const options = script.dataset;
  const OPEN_KEY = "tldvc-widget-open";
  const READY_WAIT_MS = 10000; // no word from the frame by then: it was refused or is unreachable
  const LABEL = "Trợ lý Dịch vụ công";

  let frame = null;
  let frameReady = false;
  let fallbackTimer = 0;

  function element(tag, className, attributes) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    for (const [name, value] of Object.entries(attributes || {})) el.setAttribute(name, value);
    return el;
  }

  const style = element("link", "", { rel: "stylesheet", href: new URL("assets/widget.css", base).href });
  document.head.append(style);

  const left = options.position === "left";
  const bubble = element("button", "tldvc-bubble" + (left ? " tldvc-left" : ""), {
    type: "button",
    "aria-expanded": "false",
    "aria-controls": "tldvc-panel",
    "aria-label": "Mở trò chuyện với " + LABEL,
  });
  const icon = element("span", "tldvc-bubble-icon", { "aria-hidden": "true" });
  const text = element("span", "tldvc-bubble-text");
  text.textContent = options.label || "Hỏi đáp thủ tục";
  bubble.append(icon, text);

  const panel = element("div", "tldvc-panel" + (left ? " tldvc-left" : ""), {
    id: "tldvc-panel",
    role: "dialog",
    "aria-label": LABEL,
  });
  panel.hidden = true;

  function pageAddress() {
    // origin and path only: a query string may carry someone's data
    return location.origin + location.pathname;
  }

  function embedUrl() {
    const url = new URL("embed", base);
    url.searchParams.set("page", pageAddress());
    if (options.locality) url.searchParams.set("locality", options.locality);
    return url.href;
  }

  function showFallback() {
    if (frameReady || panel.querySelector(".tldvc-fallback")) return;
    frame.hidden = true; // the browser's error page says nothing useful to a citizen
    const note = element("p", "tldvc-fallback");
    const link = element("a", "", { href: base.href, target: "_blank", rel: "noopener" });
    link.textContent = "Mở trang trò chuyện";
    note.append("Không mở được khung trò chuyện trên trang này. ", link);
    panel.append(note);
  }

  function createFrame() {
    frame = element("iframe", "tldvc-frame", {
      src: embedUrl(),
      title: "Trò chuyện với " + LABEL,
      referrerpolicy: "no-referrer",
    });
    panel.append(frame);
    fallbackTimer = setTimeout(showFallback, READY_WAIT_MS);
  }

  function focusChat() {
    if (!frame) return;
    frame.focus();
    if (frameReady) frame.contentWindow.postMessage({ type: "tldvc:focus" }, base.origin);
  }

  function remember(open) {
    try {
      sessionStorage.setItem(OPEN_KEY, open ? "1" : "0");
    } catch {
      // storage refused: the panel just starts closed on the next page
    }
  }

  function open(focus) {
    if (!frame) createFrame();
    panel.hidden = false;
    bubble.setAttribute("aria-expanded", "true");
    bubble.setAttribute("aria-label", "Đóng trò chuyện với " + LABEL);
    document.documentElement.classList.add("tldvc-open");
    remember(true);
    if (focus) focusChat();
  }

  function close() {
    panel.hidden = true;
    bubble.setAttribute("aria-expanded", "false");
    bubble.setAttribute("aria-label", "Mở trò chuyện với " + LABEL);
    document.documentElement.classList.remove("tldvc-open");
    remember(false);
    bubble.focus();
  }

  bubble.addEventListener("click", () => (panel.hidden ? open(true) : close()));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) close();
  });
  window.addEventListener("message", (event) => {
    // only the chat frame, from the chat server: anything else on the page is ignored
    if (!frame || event.source !== frame.contentWindow || event.origin !== base.origin) return;
    const type = event.data && event.data.type;
    if (type === "tldvc:ready") {
      frameReady = true;
      clearTimeout(fallbackTimer);
      frame.hidden = false; // slow, but there after all
      for (const note of panel.querySelectorAll(".tldvc-fallback")) note.remove();
      if (!panel.hidden && panel.contains(document.activeElement)) focusChat();
    } else if (type === "tldvc:close") {
      close();
    }
  });

  function mount() {
    document.body.append(panel, bubble);
    let wasOpen = false;
    try {
      wasOpen = sessionStorage.getItem(OPEN_KEY) === "1";
    } catch {
      wasOpen = false;
    }
    if (wasOpen || options.open === "true") open(false);
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
