// The citizen chat page: talks to Rasa's REST channel, shows what the bot says.
// Everything the bot or the citizen wrote is shown as text nodes; links are <a> elements whose
// href is set through the DOM and only for http(s). No HTML string is ever parsed (no innerHTML):
// a bot message may repeat what someone else typed (a feedback topic), so it is untrusted.
(() => {
  "use strict";

  const log = document.getElementById("log");
  const typing = document.getElementById("typing");
  const input = document.getElementById("input");
  const URL_PATTERN = /https?:\/\/[^\s)]+/g;
  // punctuation that ends a sentence, not the address ("... tại https://dichvucong.gov.vn.")
  const TRAILING = /[.,;:!?'"]+$/;

  // crypto.randomUUID exists only on https or localhost; a LAN address over http has only getRandomValues
  function randomId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // one conversation per browser, kept across reloads
  let sender = localStorage.getItem("tldvc-sender");
  if (!sender) {
    sender = "web-" + randomId();
    localStorage.setItem("tldvc-sender", sender);
  }
  let config = { rasa_url: "http://127.0.0.1:5005", hotline: "" };

  // An http(s) URL as the browser parses it, or null (javascript:, data:, malformed...).
  function safeUrl(candidate) {
    try {
      const url = new URL(candidate);
      return url.protocol === "http:" || url.protocol === "https:" ? url : null;
    } catch {
      return null;
    }
  }

  function link(url, label) {
    const a = document.createElement("a");
    a.href = url.href;
    a.textContent = label;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  // The text as nodes: plain text, with each http(s) address made a link.
  function linkified(text) {
    const fragment = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      const label = match[0].replace(TRAILING, "");
      const url = safeUrl(label);
      if (!url) continue;
      fragment.append(text.slice(last, match.index), link(url, label));
      last = match.index + label.length;
    }
    fragment.append(text.slice(last));
    return fragment;
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function add(text, who) {
    const el = document.createElement("div");
    el.className = "msg " + who;
    el.append(linkified(String(text)));
    log.append(el);
    scrollDown();
  }

  function addButtons(buttons) {
    const row = document.createElement("div");
    row.className = "buttons";
    for (const b of buttons) {
      const btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b.title;
      btn.addEventListener("click", () => {
        row.remove();
        send(b.payload, b.title);
      });
      row.append(btn);
    }
    log.append(row);
    scrollDown();
  }

  async function send(message, shown) {
    add(shown || message, "user");
    typing.textContent = "Trợ lý đang trả lời...";
    try {
      const res = await fetch(config.rasa_url + "/webhooks/rest/webhook", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender, message, metadata: { channel: "web" } }),
      });
      if (!res.ok) throw new Error(String(res.status));
      for (const m of await res.json()) {
        if (m.text) add(m.text, "bot");
        if (m.buttons && m.buttons.length) addButtons(m.buttons);
      }
    } catch {
      add(
        "Xin lỗi anh/chị, kết nối đang gián đoạn. Anh/chị vui lòng thử lại sau ít phút" +
          (config.hotline ? " hoặc gọi " + config.hotline : "") + ".",
        "bot",
      );
    } finally {
      typing.textContent = "";
    }
  }

  document.getElementById("form").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (text) {
      input.value = "";
      send(text);
    }
  });

  fetch("/api/v1/webchat/config")
    .then((r) => r.json())
    .then((c) => {
      config = c;
      document.getElementById("subtitle").textContent =
        "Hỏi về thủ tục hành chính, tra cứu hồ sơ · " + c.title;
      if (!localStorage.getItem("tldvc-greeted")) {
        localStorage.setItem("tldvc-greeted", "1");
        send("/greet", "Xin chào");
      }
    });
})();
