(() => {
'use strict';
const $ = s => document.querySelector(s);
const meta = n => document.querySelector('meta[name="' + n + '"]').content;
const logEl = $('#log'), form = $('#form'), input = $('#input'), sendBtn = $('#send'), statusEl = $('#status');
const toast = $('#toast'), side = $('#side'), scrim = $('#scrim'), convsEl = $('#convs'), menu = $('#menu');
const maxBytes = +meta('imbot-max-bytes'), needToken = meta('imbot-auth') === 'token';
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const store = {
  get: k => { try { return localStorage.getItem(k); } catch (e) { return null; } },
  set: (k, v) => { try { v == null ? localStorage.removeItem(k) : localStorage.setItem(k, v); } catch (e) { /* private mode */ } },
};
const rid = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('');
const validId = v => v && ID_RE.test(v) ? v : null;

// State. msgs are the conversation's finished messages, as shown; pending
// are the messages sent (or waiting to be sent) whose reply has not ended.
let user = validId(store.get('imbot.user'));
if (!user) { user = rid(); store.set('imbot.user', user); }
let session = validId(store.get('imbot.session')), token = store.get('imbot.token');
// A site that signs identity tokens opens the page as /#token=<jwt>: the
// token is kept and taken out of the address bar (a fragment never reaches
// the server or its logs).
const handed = new URLSearchParams(location.hash.slice(1)).get('token');
if (handed) {
  token = handed; store.set('imbot.token', handed);
  history.replaceState(null, '', location.pathname + location.search);
}
let ws = null, ready = false, backoff = 500, timer = 0, toastTimer = 0;
let msgs = [], convs = [], suggestions = [], afterList = null;
const pending = new Map(); // id -> {text, at, before, sent, resumed, stopped, reply, bot}

// Language and texts: the browser's first Chinese or English language; the
// texts come from the server's catalogue.
const lang = (navigator.languages || [navigator.language || 'en']).map(l => l.toLowerCase().slice(0, 2)).find(l => l === 'zh' || l === 'en') || 'en';
let T = {};
const t = (id, args) => (T[id] || id).replace(/\{(\w+)\}/g, (m, k) => args && k in args ? String(args[k]) : m);
function applyTexts() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
  for (const e of document.querySelectorAll('[data-t-label]')) { e.setAttribute('aria-label', t(e.dataset.tLabel)); e.title = t(e.dataset.tLabel); }
  for (const e of document.querySelectorAll('[data-t-ph]')) { e.placeholder = t(e.dataset.tPh); e.setAttribute('aria-label', t('web_message_label')); }
}

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
};
const button = (label, onClick, cls) => {
  const b = el('button', cls, label);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
};

// Clipboard, with a fallback for pages not served over HTTPS or localhost.
async function copyText(text, btn) {
  try { await navigator.clipboard.writeText(text); } catch (e) {
    const ta = el('textarea'); ta.value = text; ta.setAttribute('readonly', ''); ta.className = 'sr';
    document.body.append(ta); ta.select(); document.execCommand('copy'); ta.remove();
  }
  const old = btn.textContent; btn.textContent = t('web_copied');
  setTimeout(() => { btn.textContent = old; }, 1500);
}
const codeButton = get => { const b = button(t('web_copy'), () => copyText(get(), b)); b.setAttribute('aria-label', t('web_copy_code')); return b; };
const markdown = text => imbotMarkdown(text, {codeButton});

// Time stamps: the time of day, with the date when it is not today.
function stamp(at) {
  const d = at ? new Date(at) : new Date(), node = el('time');
  const today = new Date().toDateString() === d.toDateString();
  node.dateTime = d.toISOString();
  node.textContent = new Intl.DateTimeFormat(lang, today ? {hour: '2-digit', minute: '2-digit'} : {month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit'}).format(d);
  node.title = new Intl.DateTimeFormat(lang, {dateStyle: 'full', timeStyle: 'short'}).format(d);
  return node;
}
// source says in plain words what produced a reply.
function source(m) {
  const route = {faq: 'web_route_faq', faq_guess: 'web_route_faq_guess', cache: 'web_route_cache', degraded: 'web_route_degraded', command: 'web_route_command'}[m.route];
  if (route) return t(route);
  const model = m.model || m.provider || '';
  return model.replace(/^gpt-/i, 'GPT-').replace(/(GPT-[^-]+)-/, '$1 ').replace(/-(mini|nano|turbo|preview)\b/gi, ' $1');
}

// Message nodes.
function messageNode(m) {
  const bot = m.role !== 'user', node = el('article', 'msg ' + (bot ? 'bot' : 'user'));
  const head = el('div', 'meta'), bubble = el('div', 'bubble');
  head.append(el('span', 'who', t(bot ? 'web_assistant' : 'web_you')), stamp(m.at));
  if (bot && m.route) { const s = source(m); if (s) head.append(el('span', 'tag', s)); }
  if (m.stopped) head.append(el('span', 'tag stopped', t('web_stopped')));
  if (m.error) node.classList.add('err');
  if (bot) bubble.append(markdown(m.text)); else bubble.textContent = m.text;
  node.append(head, bubble);
  if (bot && !m.live) {
    const actions = el('div', 'actions'), copy = button(t('web_copy'), () => copyText(m.text, copy));
    actions.append(copy);
    node.append(actions);
  }
  return node;
}
function liveNode(p) {
  const node = messageNode({role: 'assistant', text: p.reply, at: p.at, live: true, stopped: p.stopped});
  if (!p.stopped) node.classList.add('wait');
  return node;
}
const atBottom = () => logEl.scrollHeight - logEl.scrollTop - logEl.clientHeight < 80;
function emptyState() {
  const box = el('div', 'empty');
  box.append(el('p', null, t('web_empty')));
  if (suggestions.length) {
    box.append(el('p', null, t('web_suggestions')));
    const chips = el('div', 'chips');
    for (const q of suggestions) chips.append(button(q, () => send(q)));
    box.append(chips);
  }
  return box;
}
// render draws the whole conversation: finished messages, then pending ones.
function render() {
  const stick = atBottom(), nodes = msgs.map(messageNode);
  for (const p of pending.values()) {
    if (p.userMsg) nodes.push(messageNode(p.userMsg));
    p.bot = liveNode(p); nodes.push(p.bot);
  }
  logEl.replaceChildren(...(nodes.length ? nodes : [emptyState()]));
  addRegenerate();
  if (stick || pending.size) logEl.scrollTop = logEl.scrollHeight;
  updateSend();
}
// addRegenerate puts the regenerate button on the last answer when it
// follows a question and nothing is pending.
function addRegenerate() {
  const last = msgs[msgs.length - 1], q = msgs[msgs.length - 2];
  if (pending.size || !last || last.role === 'user' || !q || q.role !== 'user' || /^\//.test(q.text)) return;
  const actions = logEl.lastElementChild && logEl.lastElementChild.querySelector('.actions');
  if (actions) actions.append(button(t('web_regenerate'), regenerate));
}
function paint(p) {
  if (p.frame) return;
  p.frame = requestAnimationFrame(() => {
    p.frame = 0;
    if (!p.bot) return;
    const stick = atBottom();
    p.bot.querySelector('.bubble').replaceChildren(markdown(p.reply));
    if (stick) logEl.scrollTop = logEl.scrollHeight;
  });
}
function updateSend() {
  const streaming = [...pending.values()].some(p => !p.stopped);
  sendBtn.classList.toggle('stop', streaming);
  sendBtn.textContent = t(streaming ? 'web_stop' : 'web_send');
  logEl.setAttribute('aria-busy', String(streaming));
}
function showError(msg) {
  toast.textContent = msg; toast.hidden = false;
  clearTimeout(toastTimer); toastTimer = setTimeout(() => { toast.hidden = true; }, 6000);
}
function setStatus(cls, id) { statusEl.className = 'status ' + cls; statusEl.textContent = t(id); }

// Conversation list.
function renderConvs() {
  convsEl.replaceChildren(...convs.map(c => {
    const li = el('li'), open = button('', () => switchTo(c.session), 'open'), title = c.title || t('web_untitled');
    open.append(el('span', null, title), el('span', 'when', stamp(c.updated).textContent));
    if (c.session === session) li.setAttribute('aria-current', 'true');
    const ren = button('✎', () => rename(c), 'icon'), del = button('✕', () => remove(c), 'icon');
    ren.setAttribute('aria-label', t('web_rename') + ': ' + title); ren.title = t('web_rename');
    del.setAttribute('aria-label', t('web_delete') + ': ' + title); del.title = t('web_delete');
    li.append(open, ren, del);
    return li;
  }));
  const cur = convs.find(c => c.session === session);
  $('#title').textContent = cur && cur.title ? cur.title : 'imbot';
}
function noteConversation(text) {
  if (!session || convs.some(c => c.session === session)) return;
  const now = new Date().toISOString(), line = text.split('\n')[0];
  convs.unshift({session, title: [...line].length > 60 ? [...line].slice(0, 59).join('') + '…' : line, created: now, updated: now});
  renderConvs();
}
function openSide(open) {
  side.classList.toggle('open', open); scrim.hidden = !open;
  menu.setAttribute('aria-expanded', String(open));
  if (open) $('#new').focus();
}
function switchTo(s) {
  openSide(false);
  if (s && s === session && ws) return;
  session = s; store.set('imbot.session', s);
  msgs = []; pending.clear(); render(); renderConvs();
  const old = ws; ws = null; ready = false;
  if (old) old.close();
  backoff = 500; connect();
}
// ask shows the small dialog for rename (with an input) or delete.
function ask(title, okText, value) {
  const d = $('#ask'), inp = $('#ask-input');
  $('#ask-title').textContent = title; $('#ask-ok').textContent = okText;
  $('#ask-label').hidden = inp.hidden = value == null;
  inp.required = value != null; inp.value = value || '';
  return new Promise(resolve => {
    const done = ok => { d.removeEventListener('close', onClose); resolve(ok ? inp.value.trim() : null); };
    const onClose = () => done(d.returnValue === 'ok');
    d.addEventListener('close', onClose);
    d.returnValue = '';
    d.showModal();
    if (value != null) inp.select();
  });
}
async function rename(c) {
  const title = await ask(t('web_rename'), t('web_save'), c.title || '');
  if (title) sendFrame({type: 'rename', session: c.session, title});
}
async function remove(c) {
  const ok = await ask(t('web_delete_confirm', {title: c.title || t('web_untitled')}), t('web_delete'));
  if (ok == null) return;
  if (!sendFrame({type: 'delete', session: c.session})) return;
  convs = convs.filter(x => x.session !== c.session); renderConvs();
  if (c.session === session) afterList = newChat; // once the server has deleted it
}
const newChat = () => switchTo(null);

// Server frames.
function onFrame(f) {
  switch (f.type) {
    case 'ready': onReady(f); break;
    case 'history': onHistory(f.messages); break;
    case 'conversations': onConversations(f.items || []); break;
    case 'suggestions': suggestions = f.questions || []; if (!msgs.length && !pending.size) render(); break;
    case 'delta': onDelta(f); break;
    case 'stopped': { const p = pending.get(f.reply_to); if (p) stopLocally(p); break; }
    case 'done': onDone(f); break;
    case 'error': onError(f); break;
  }
}
function onConversations(items) {
  convs = items; renderConvs();
  const then = afterList; afterList = null;
  if (then) then();
}
function onReady(f) {
  if (session !== f.session) { session = f.session; store.set('imbot.session', session); renderConvs(); }
  ready = true; backoff = 500; setStatus('on', 'web_status_online');
  for (const [id, p] of pending) transmit(id, p);
}
// onHistory replaces the screen with the stored conversation; a pending
// message whose turn is in it is finished, the others stay pending.
function onHistory(list) {
  msgs = list.map(m => ({...m, role: m.role === 'user' ? 'user' : 'assistant'}));
  const count = text => msgs.filter(m => m.role === 'user' && m.text === text).length;
  for (const [id, p] of pending) if (p.sent && count(p.text) > p.before) pending.delete(id);
  for (const p of pending.values()) if (p.userMsg) p.before = Math.min(p.before, count(p.text));
  render();
}
function onDelta(f) {
  const p = entry(f.reply_to);
  if (p.stopped || p.resumed) return; // a resumed stream's start was missed: wait for done
  p.reply += f.text;
  paint(p);
}
function onDone(f) {
  const p = entry(f.reply_to);
  cancelAnimationFrame(p.frame); pending.delete(f.reply_to);
  if (p.userMsg) msgs.push(p.userMsg);
  const stopped = p.stopped || f.stopped;
  msgs.push({role: 'assistant', text: stopped ? p.reply : f.text, at: new Date().toISOString(), route: f.route, provider: f.provider, model: f.model, stopped});
  render();
}
function onError(f) {
  const p = f.reply_to && pending.get(f.reply_to);
  const text = t({busy: 'web_err_busy', rate_limited: 'web_err_rate_limited', too_large: 'web_too_large', unauthorized: 'web_token_required'}[f.code] || 'web_err_bad_request');
  if (!p) { showError(text); if (f.code === 'bad_request' && f.message) console.warn(f.message); return; }
  pending.delete(f.reply_to); cancelAnimationFrame(p.frame);
  if (p.userMsg) msgs.push(p.userMsg);
  msgs.push({role: 'assistant', text, at: new Date().toISOString(), error: true});
  render();
}
// entry returns the pending reply to id, making one for a message sent
// from another tab.
function entry(id) {
  let p = pending.get(id);
  if (!p) { p = {text: '', reply: '', at: new Date().toISOString(), sent: true, before: 0}; pending.set(id, p); render(); }
  return p;
}

// Connection: reconnects with jittered exponential backoff and resends
// every message still waiting for its reply, with the same id (the server
// drops duplicates).
function endpoint(path, wsProto) {
  const u = new URL(path, location.href);
  if (wsProto) u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (session) u.searchParams.set('session', session);
  u.searchParams.set('user', user);
  u.searchParams.set('lang', lang);
  if (token) u.searchParams.set('token', token);
  return u.href;
}
function connect() {
  clearTimeout(timer);
  if (ws) return;
  if (needToken && !token) { login(false); return; }
  setStatus('wait', 'web_status_connecting');
  const sock = ws = new WebSocket(endpoint('ws', true));
  let opened = false;
  sock.onmessage = e => {
    if (ws !== sock) return;
    let f; try { f = JSON.parse(e.data); } catch (err) { return; }
    if (f.type === 'ready') opened = true;
    onFrame(f);
  };
  sock.onclose = e => {
    if (ws !== sock) return;
    ws = null; ready = false;
    for (const p of pending.values()) { if (p.sent) p.resumed = true; }
    if (e.code === 1009) showError(t('web_too_large'));
    if (opened) retry(); else probe().then(retry);
  };
}
// probe asks over plain HTTP why the WebSocket handshake failed.
async function probe() {
  try {
    const r = await fetch(endpoint('ws', false), {cache: 'no-store'});
    if (r.status === 401) { token = null; store.set('imbot.token', null); login(true); return; }
    if (r.status !== 400) { const b = await r.json(); showError(b.error.message); }
  } catch (e) { /* offline: retry later */ }
}
function retry() {
  if (needToken && !token) return;
  const d = backoff / 2 + Math.random() * backoff / 2;
  backoff = Math.min(backoff * 2, 15000);
  setStatus('off', 'web_status_offline');
  timer = setTimeout(connect, d);
}
function login(wrong) {
  setStatus('off', 'web_status_signin');
  $('#login-error').hidden = !wrong;
  const d = $('#login');
  if (!d.open) d.showModal();
  $('#token').select(); // a refused token is replaced by typing
}
function sendFrame(f) {
  if (!ready) { showError(t('web_status_offline')); return false; }
  ws.send(JSON.stringify(f));
  return true;
}
// transmit sends a pending message when connected; messages from other
// tabs (no text) and stopped ones are not sent.
function transmit(id, p) {
  if (!ready || p.stopped || !p.text) return;
  ws.send(JSON.stringify({type: 'message', id, text: p.text}));
  p.sent = true;
}

// Sending, stopping and regenerating.
const asked = text => msgs.filter(m => m.role === 'user' && m.text === text).length;
// queue sends text as a new message shown as userMsg. before counts the
// stored questions with this text, so that a history frame can tell
// whether this one was recorded.
function queue(text, userMsg, before) {
  const id = rid(), p = {text, at: new Date().toISOString(), reply: '', sent: false, before, userMsg};
  pending.set(id, p);
  render();
  noteConversation(text);
  transmit(id, p);
}
function send(text) {
  text = text.trim();
  if (!text) return;
  if (new TextEncoder().encode(text).length > maxBytes) { showError(t('web_too_long', {limit: maxBytes})); return; }
  if (/^\/(reset|new)\b/i.test(text)) msgs = []; // the screen clears too
  queue(text, {role: 'user', text, at: new Date().toISOString()}, asked(text));
}
function stopLocally(p) {
  if (p.stopped) return;
  p.stopped = true; cancelAnimationFrame(p.frame); p.frame = 0;
  if (p.bot) {
    p.bot.classList.remove('wait');
    p.bot.querySelector('.bubble').replaceChildren(markdown(p.reply));
    p.bot.querySelector('.meta').append(el('span', 'tag stopped', t('web_stopped')));
  }
  updateSend();
}
function stop() {
  for (const [id, p] of pending) {
    if (p.stopped) continue;
    stopLocally(p);
    if (!p.sent) { pending.delete(id); if (p.userMsg) msgs.push(p.userMsg); msgs.push({role: 'assistant', text: p.reply, at: p.at, stopped: true}); render(); continue; }
    if (ready) ws.send(JSON.stringify({type: 'stop', id}));
  }
}
// regenerate asks the last question again in place of its answer; the
// history keeps both turns (the question is stored once more).
function regenerate() {
  const [q] = msgs.splice(-2, 2);
  queue(q.text, q, asked(q.text) + 1);
}
// grow fits the message box to its text, one line when empty.
function grow() {
  input.style.height = '';
  if (input.value) input.style.height = Math.min(input.scrollHeight + 2, innerHeight * 0.4) + 'px';
}

form.addEventListener('submit', e => {
  e.preventDefault();
  if (sendBtn.classList.contains('stop')) { stop(); return; }
  send(input.value); input.value = ''; grow();
});
input.addEventListener('keydown', e => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
});
document.addEventListener('keydown', e => {
  if (e.key !== 'Escape' || document.querySelector('dialog[open]')) return;
  if (side.classList.contains('open')) openSide(false); else stop();
});
input.addEventListener('input', grow);
$('#new').addEventListener('click', newChat);
menu.addEventListener('click', () => openSide(true));
$('#side-close').addEventListener('click', () => openSide(false));
scrim.addEventListener('click', () => openSide(false));
$('#ask-cancel').addEventListener('click', () => $('#ask').close(''));
$('#ask-form').addEventListener('submit', e => { e.preventDefault(); $('#ask').close('ok'); });
$('#login').addEventListener('cancel', e => e.preventDefault());
$('#login-form').addEventListener('submit', e => {
  e.preventDefault();
  const v = $('#token').value.trim();
  if (!v) return;
  token = v; store.set('imbot.token', v);
  $('#login').close(); backoff = 500; connect();
});
addEventListener('online', () => { if (!ws) { backoff = 500; connect(); } });

fetch('i18n.json?lang=' + lang, {cache: 'no-cache'}).then(r => r.json()).then(b => { T = b.texts || {}; })
  .catch(() => { /* keep the ids: the chat still works */ })
  .finally(() => { applyTexts(); render(); renderConvs(); connect(); });
})();
