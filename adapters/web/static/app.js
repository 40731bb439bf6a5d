(() => {
'use strict';
const $ = s => document.querySelector(s);
const meta = n => document.querySelector('meta[name="' + n + '"]').content;
const log = $('#log'), form = $('#form'), input = $('#input'), statusEl = $('#status'), toast = $('#toast');
const maxBytes = +meta('imbot-max-bytes'), needToken = meta('imbot-auth') === 'token';
const store = {
  get: k => { try { return localStorage.getItem(k); } catch (e) { return null; } },
  set: (k, v) => { try { v == null ? localStorage.removeItem(k) : localStorage.setItem(k, v); } catch (e) { /* private mode */ } },
};
let session = store.get('imbot.session'), token = store.get('imbot.token');
if (session && !/^[A-Za-z0-9_-]{1,64}$/.test(session)) session = null;
let ws = null, ready = false, backoff = 500, timer = 0, toastTimer = 0;
const pending = new Map(); // message id -> {text, sent, user, bot, reply}
const outbox = [];         // ids waiting for a connection

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
};
const rid = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), b => b.toString(16).padStart(2, '0')).join('');

// A tiny Markdown renderer that builds DOM nodes from text: nothing the
// model writes is ever parsed as HTML.
function markdown(src) {
  const frag = document.createDocumentFragment(), lines = src.replace(/\r\n?/g, '\n').split('\n');
  let para = [], list = null;
  const flush = () => { if (para.length) { const p = el('p'); inline(p, para.join('\n')); frag.append(p); para = []; } };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*```/.test(line)) {
      flush(); list = null;
      const code = [];
      while (++i < lines.length && !/^\s*```/.test(lines[i])) code.push(lines[i]);
      const pre = el('pre'); pre.append(el('code', null, code.join('\n'))); frag.append(pre);
      continue;
    }
    const item = line.match(/^\s*(?:[-*+]|(\d{1,9})[.)])\s+(.*)$/), head = line.match(/^#{1,6}\s+(.*)$/);
    if (item) {
      flush();
      const tag = item[1] ? 'OL' : 'UL';
      if (!list || list.tagName !== tag) { list = el(tag); frag.append(list); }
      const li = el('li'); inline(li, item[2]); list.append(li);
    } else if (head) {
      flush(); list = null;
      const p = el('p'), b = el('strong'); inline(b, head[1]); p.append(b); frag.append(p);
    } else if (!line.trim()) {
      flush(); list = null;
    } else {
      list = null; para.push(line);
    }
  }
  flush();
  return frag;
}
function inline(parent, s) {
  const re = /`([^`\n]+)`|\*\*(.+?)\*\*|\[([^\]\n]+)\]\(((?:https?:\/\/|mailto:)[^\s)]+)\)|(https?:\/\/[^\s<>]*[^\s<>.,;:!?)\]'"])/g;
  let last = 0, m;
  while ((m = re.exec(s))) {
    plain(parent, s.slice(last, m.index));
    if (m[1] != null) parent.append(el('code', null, m[1]));
    else if (m[2] != null) { const b = el('strong'); inline(b, m[2]); parent.append(b); }
    else {
      const a = el('a', null, m[3] != null ? m[3] : m[5]);
      a.href = m[4] != null ? m[4] : m[5]; a.target = '_blank'; a.rel = 'noopener noreferrer';
      parent.append(a);
    }
    last = re.lastIndex;
  }
  plain(parent, s.slice(last));
}
function plain(parent, s) {
  s.split('\n').forEach((part, k) => { if (k) parent.append(el('br')); if (part) parent.append(part); });
}

const atBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 80;
function append(node) { const stick = atBottom(); log.append(node); if (stick) log.scrollTop = log.scrollHeight; }
function bubble(role, text) {
  const m = el('div', 'msg ' + role), body = el('div', 'body');
  if (role === 'user') body.textContent = text; else body.append(markdown(text));
  m.append(body);
  return m;
}
const ROUTES = {faq: 'FAQ', faq_guess: 'FAQ (best guess)', cache: 'cached', degraded: 'degraded', command: 'command'};
const routeTag = f => el('span', 'tag', ROUTES[f.route] || f.model || f.provider || f.route);
function finish(p, f) {
  p.bot.className = 'msg bot';
  p.bot.firstChild.replaceChildren(markdown(f.text));
  p.bot.append(routeTag(f));
}
function pastBubble(m) {
  const b = bubble(m.role === 'user' ? 'user' : 'bot', m.text);
  if (m.role !== 'user' && m.route) b.append(routeTag(m));
  return b;
}
function showError(msg) {
  toast.textContent = msg; toast.hidden = false;
  clearTimeout(toastTimer); toastTimer = setTimeout(() => { toast.hidden = true; }, 6000);
}
function setStatus(cls, text) { statusEl.className = 'status ' + cls; statusEl.textContent = text; }

// entry returns the pending reply to id, creating a bubble for a reply to a
// message sent from another tab.
function entry(id) {
  let p = pending.get(id);
  if (!p) { p = {text: '', sent: true, bot: bubble('bot wait', '')}; pending.set(id, p); append(p.bot); }
  return p;
}
function render(p) {
  if (p.frame) return;
  p.frame = requestAnimationFrame(() => {
    p.frame = 0;
    const stick = atBottom();
    p.bot.firstChild.replaceChildren(markdown(p.reply || ''));
    if (stick) log.scrollTop = log.scrollHeight;
  });
}
function onFrame(f) {
  switch (f.type) {
    case 'ready':
      session = f.session; store.set('imbot.session', session);
      ready = true; backoff = 500; setStatus('on', 'connected');
      flush();
      break;
    case 'history': {
      for (const [id, p] of pending) {
        if (p.sent && f.messages.some(m => m.role === 'user' && m.text === p.text)) pending.delete(id);
      }
      log.replaceChildren(...f.messages.map(pastBubble));
      for (const p of pending.values()) { if (p.user) log.append(p.user); log.append(p.bot); }
      log.scrollTop = log.scrollHeight;
      break;
    }
    case 'delta': {
      const p = entry(f.reply_to);
      p.reply = (p.reply || '') + f.text;
      render(p);
      break;
    }
    case 'done': {
      const p = entry(f.reply_to);
      cancelAnimationFrame(p.frame); pending.delete(f.reply_to);
      const stick = atBottom(); finish(p, f); if (stick) log.scrollTop = log.scrollHeight;
      break;
    }
    case 'error': {
      const p = f.reply_to && pending.get(f.reply_to);
      if (!p) { showError(f.message); break; }
      pending.delete(f.reply_to); cancelAnimationFrame(p.frame);
      p.bot.className = 'msg bot err'; p.bot.firstChild.textContent = f.message;
      break;
    }
  }
}

function endpoint(path, ws) {
  const u = new URL(path, location.href);
  if (ws) u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (session) u.searchParams.set('session', session);
  if (token) u.searchParams.set('token', token);
  return u.href;
}
function askToken() {
  const t = (prompt('Access token for this chat') || '').trim();
  if (t) { token = t; store.set('imbot.token', t); }
  return !!t;
}
function connect() {
  clearTimeout(timer);
  if (ws) return;
  if (needToken && !token && !askToken()) { setStatus('off', 'sign in'); return; }
  setStatus('wait', 'connecting…');
  const sock = ws = new WebSocket(endpoint('ws', true));
  let opened = false;
  sock.onmessage = e => { let f; try { f = JSON.parse(e.data); } catch (err) { return; } if (f.type === 'ready') opened = true; onFrame(f); };
  sock.onclose = e => {
    if (ws !== sock) return;
    ws = null; ready = false;
    if (e.code === 1009) showError('That message was too large.');
    if (opened) retry(); else probe().then(retry);
  };
}
// probe asks over plain HTTP why the WebSocket handshake failed.
async function probe() {
  try {
    const r = await fetch(endpoint('ws', false), {cache: 'no-store'});
    if (r.status === 401) { token = null; store.set('imbot.token', null); if (askToken()) backoff = 0; return; }
    if (r.status !== 400) { const b = await r.json(); showError(b.error.message); }
  } catch (e) { /* offline: retry later */ }
}
function retry() {
  if (needToken && !token) { setStatus('off', 'sign in'); return; }
  const d = backoff ? backoff / 2 + Math.random() * backoff / 2 : 0;
  backoff = Math.min((backoff || 250) * 2, 15000);
  setStatus('off', 'offline, retrying…');
  timer = setTimeout(connect, d);
}
function flush() {
  while (ready && outbox.length) {
    const id = outbox.shift(), p = pending.get(id);
    if (p) { ws.send(JSON.stringify({type: 'message', id, text: p.text})); p.sent = true; }
  }
}
function send() {
  const text = input.value.trim();
  if (!text) return;
  if (new TextEncoder().encode(text).length > maxBytes) { showError('Message is too long (limit ' + maxBytes + ' bytes).'); return; }
  const id = rid(), p = {text, sent: false, user: bubble('user', text), bot: bubble('bot wait', '')};
  pending.set(id, p); outbox.push(id);
  log.append(p.user, p.bot); log.scrollTop = log.scrollHeight;
  input.value = ''; grow();
  flush();
}
function grow() { input.style.height = 'auto'; input.style.height = input.scrollHeight + 2 + 'px'; }

form.addEventListener('submit', e => { e.preventDefault(); send(); });
input.addEventListener('keydown', e => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !matchMedia('(pointer: coarse)').matches) { e.preventDefault(); send(); }
});
input.addEventListener('input', grow);
statusEl.addEventListener('click', () => { if (!ws) { backoff = 500; connect(); } });
$('#new').addEventListener('click', () => {
  session = null; store.set('imbot.session', null);
  pending.clear(); outbox.length = 0; log.replaceChildren();
  const old = ws; ws = null; ready = false;
  if (old) old.close();
  connect();
});
addEventListener('online', () => { if (!ws) { backoff = 500; connect(); } });
connect();
})();
