// How the chat shows a message: DOM nodes only, never an HTML string.
// What the bot says may repeat what someone else typed (a feedback topic read back by its code), so
// every text is a text node; an http(s) address becomes an <a> whose href is set through the DOM
// and only after the browser parsed it as http(s). No innerHTML anywhere (tests/browser checks it).

const URL_PATTERN = /https?:\/\/[^\s)]+/g;
// punctuation that ends a sentence, not the address ("... tại https://dichvucong.gov.vn.")
const TRAILING = /[.,;:!?'"]+$/;

// An http(s) URL as the browser parses it, or null (javascript:, data:, malformed...).
export function safeUrl(candidate) {
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
export function linkified(text) {
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

// One bubble: who is "bot" or "user"; a screen reader hears who speaks before the text.
export function messageElement(text, who) {
  const el = document.createElement("div");
  el.className = "msg " + who;
  el.append(linkified(String(text)));
  return el;
}

// The quick replies of a bot message: real buttons (Tab reaches them, Enter or Space press them).
export function buttonsRow(replies, choose) {
  const row = document.createElement("div");
  row.className = "buttons";
  row.setAttribute("role", "group");
  row.setAttribute("aria-label", "Gợi ý trả lời");
  for (const reply of replies) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = String(reply.title);
    button.addEventListener("click", () => choose(String(reply.payload), String(reply.title)));
    row.append(button);
  }
  return row;
}
