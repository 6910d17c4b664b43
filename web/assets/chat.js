// The citizen chat, full page (/chat/) or inside the bubble of another site (/chat/embed).
//
// One socket.io connection to this page's own server (bot/channels/socketio.py):
//   connect          -> session_request {session_id, session_token} (null: a new conversation)
//   session_confirm  <- {session_id, session_token}: the server issues both; the token proves the
//                       session is ours, and is kept in sessionStorage (this tab only: a shared
//                       computer does not hand the next person the conversation)
//   session_history  <- {session_id, messages}: the conversation so far when it was resumed
//                       (reload, reconnect after a server restart); shown instead of the log
//   user_uttered     -> {message, session_id, customData}
//   bot_uttered      <- {text, quick_replies?}
//   bot_typing       <- {typing}: true while the bot works on a message
// socket.io reconnects by itself (a restarted server, a dropped network) and the session is asked
// for again on every connection. What the citizen types meanwhile waits and is sent then.
// Rendering is DOM-only (render.js).
import { io } from "./socket.io.esm.min.js";
import { buttonsRow, messageElement } from "./render.js";

const STORAGE_KEY = "tldvc-chat-session";
const TYPING = "Trợ lý đang trả lời…";
const GREETING = "/greet"; // the bot's welcome and menu; not shown as something the citizen said
const embedded = location.pathname.endsWith("/embed");
const params = new URLSearchParams(location.search);

const $ = (id) => document.getElementById(id);
const root = document.querySelector(".chat");
const log = $("log");
const typing = $("typing");
const input = $("input");
const statusLine = $("status");

let hotline = "";
let session = storedSession();
let ready = false; // session confirmed and its history shown: messages go out at once
let pending = []; // {message, element}: typed while not ready, sent once ready

// What the tracker gets with every message (metadata_key: customData in credentials.yml).
const customData = { channel: "web", embedded, locale: "vi", page: location.pathname };
if (embedded && params.get("page")) customData.page = params.get("page").slice(0, 300);
if (params.get("locality")) customData.locality = params.get("locality").slice(0, 100);

function storedSession() {
  try {
    const value = JSON.parse(sessionStorage.getItem(STORAGE_KEY));
    if (value && typeof value.session_id === "string" && typeof value.session_token === "string") {
      return value;
    }
  } catch {
    // storage refused (privacy mode) or damaged: a new conversation
  }
  return null;
}

function keepSession(value) {
  try {
    if (value) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(value));
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // the conversation still works; it just does not survive a reload
  }
}

function setState(state) {
  root.dataset.state = state; // connecting | ready | offline (tests and styles read it)
}

function showStatus(text) {
  statusLine.textContent = text || "";
  statusLine.hidden = !text;
}

function apology() {
  return (
    "Xin lỗi anh/chị, kết nối đang gián đoạn. Em đang kết nối lại, anh/chị vui lòng chờ ít phút" +
    (hotline ? " hoặc gọi " + hotline : "") + "."
  );
}

function setTyping(on) {
  typing.textContent = on ? TYPING : "";
}

function scrollDown() {
  log.scrollTop = log.scrollHeight;
}

function removeButtons() {
  for (const row of log.querySelectorAll(".buttons")) row.remove();
}

function append(element) {
  log.append(element);
  scrollDown();
  return element;
}

function showBot(message, withButtons) {
  if (typeof message.text === "string" && message.text) {
    append(messageElement(message.text, "bot"));
    if (!performance.getEntriesByName("tldvc:first-bot-message").length) {
      performance.mark("tldvc:first-bot-message"); // scripts/bench_web.py reads it
    }
  }
  const replies = Array.isArray(message.quick_replies) ? message.quick_replies : [];
  if (withButtons && replies.length) append(buttonsRow(replies, choose));
}

function showHistory(messages) {
  log.replaceChildren();
  messages.forEach((m, i) => {
    if (m.sender === "user") append(messageElement(m.text, "user"));
    else showBot(m, i === messages.length - 1); // only the last message's buttons still apply
  });
}

function emit(message) {
  setTyping(true);
  socket.emit("user_uttered", { message, session_id: session.session_id, customData });
}

function send(message, shown) {
  removeButtons(); // an earlier question's buttons no longer apply
  const element = append(messageElement(shown || message, "user"));
  if (ready) {
    emit(message);
  } else {
    element.classList.add("pending");
    pending.push({ message, element });
  }
}

function choose(payload, title) {
  send(payload, title);
  input.focus(); // the pressed button is gone: keyboard users continue from the input
}

function requestSession() {
  ready = false;
  setState("connecting");
  socket.emit(
    "session_request",
    session
      ? { session_id: session.session_id, session_token: session.session_token }
      : { session_id: null },
  );
}

// Same server, any path prefix a proxy adds: /chat/ and /chat/embed both lead to /socket.io.
const socket = io({
  path: new URL("../socket.io", location.href).pathname,
  // a browser sends Origin on a WebSocket handshake, not on a same-origin polling GET, and the
  // server refuses connections without an allowed Origin
  transports: ["websocket"],
  timeout: 10000, // no session by then: tell the citizen (socket.io's default waits 20 s)
  reconnectionDelay: 500,
  reconnectionDelayMax: 4000,
});

socket.on("connect", () => {
  performance.mark("tldvc:connected");
  showStatus("");
  requestSession();
});

socket.on("session_confirm", (confirm) => {
  if (!confirm || typeof confirm.session_id !== "string") return;
  session = { session_id: confirm.session_id, session_token: String(confirm.session_token) };
  keepSession(session);
});

socket.on("session_history", (history) => {
  if (!session || !history || history.session_id !== session.session_id) return;
  const messages = Array.isArray(history.messages) ? history.messages : [];
  const waiting = pending;
  pending = [];
  if (messages.length) {
    showHistory(messages);
    for (const { element } of waiting) append(element);
  }
  ready = true;
  setState("ready");
  for (const { message, element } of waiting) {
    element.classList.remove("pending");
    emit(message);
  }
  if (!log.querySelector(".msg")) emit(GREETING);
});

socket.on("bot_uttered", (message) => {
  if (message && typeof message === "object") showBot(message, true);
});

socket.on("bot_typing", (state) => setTyping(Boolean(state && state.typing)));

socket.on("disconnect", (reason) => {
  ready = false;
  setTyping(false);
  if (reason === "io client disconnect") return;
  setState("offline");
  showStatus(apology());
});

socket.on("connect_error", () => {
  setState("offline");
  showStatus(apology());
  // refused by the server (not a network failure): socket.io does not retry that by itself
  if (!socket.active) setTimeout(() => socket.connect(), 10000);
});

$("form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (text) {
    input.value = "";
    send(text);
  }
});

// A new conversation: on a shared computer the next person starts from nothing.
$("restart").addEventListener("click", () => {
  session = null;
  keepSession(null);
  pending = [];
  log.replaceChildren();
  setTyping(false);
  if (socket.connected) requestSession();
  input.focus();
});

if (embedded) {
  // inside the bubble of another site (web/widget.js): these messages carry no citizen data
  const close = $("close");
  close.hidden = false;
  const tell = (type) => window.parent.postMessage({ type }, "*");
  close.addEventListener("click", () => tell("tldvc:close"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") tell("tldvc:close");
  });
  window.addEventListener("message", (event) => {
    if (event.source === window.parent && event.data && event.data.type === "tldvc:focus") {
      input.focus();
    }
  });
  document.documentElement.classList.add("embedded");
  tell("tldvc:ready");
}

// The locality's name and hotline (connectors' configuration, through this server).
fetch("config.json")
  .then((answer) => (answer.ok ? answer.json() : {}))
  .then((config) => {
    const line = $("locality");
    if (config.title) line.append(String(config.title));
    if (config.hotline) {
      hotline = String(config.hotline);
      const call = document.createElement("a");
      call.href = "tel:" + hotline.replace(/[^0-9+]/g, "");
      call.textContent = hotline;
      const label = document.createElement("span");
      label.className = "nowrap";
      label.append("Tổng đài ", call);
      line.append(config.title ? " · " : "", label);
      if (!statusLine.hidden) showStatus(apology());
    }
    line.hidden = !line.textContent;
    root.dataset.config = "loaded";
  })
  .catch(() => {
    root.dataset.config = "failed";
  });
