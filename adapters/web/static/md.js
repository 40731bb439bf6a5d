// A small Markdown renderer: CommonMark basics and GFM tables, built as DOM
// nodes with createElement and textContent. Nothing in the text is ever
// parsed as HTML, so raw HTML in a reply shows as the literal text.
const imbotMarkdown = (() => {
'use strict';
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
};
const SAFE_URL = /^(?:https?:\/\/|mailto:)[^\s<>]+$/i;
const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const TABLE_SEP = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

// cells splits a table row into its trimmed cells (a \| stays in the cell).
function cells(row) {
  const s = row.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return s.split(/(?<!\\)\|/).map(c => c.trim().replace(/\\\|/g, '|'));
}

// Block parsing: each handler consumes lines from i and returns the next index.
function blocks(lines, opts) {
  const frag = document.createDocumentFragment();
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) { i++; continue; }
    let m;
    if ((m = line.match(FENCE))) i = fence(lines, i, m, frag, opts);
    else if ((m = line.match(HEADING))) { const h = el('h' + Math.min(m[1].length + 2, 6), 'md-h'); inline(h, m[2]); frag.append(h); i++; }
    else if (RULE.test(line)) { frag.append(el('hr')); i++; }
    else if (QUOTE.test(line)) i = quote(lines, i, frag, opts);
    else if (ITEM.test(line)) i = list(lines, i, frag);
    else if (line.includes('|') && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]) && lines[i + 1].includes('-')) i = table(lines, i, frag);
    else i = paragraph(lines, i, frag);
  }
  return frag;
}
function fence(lines, i, m, frag, opts) {
  const close = new RegExp('^ {0,3}' + m[1][0] + '{' + m[1].length + ',}\\s*$'), code = [];
  while (++i < lines.length && !close.test(lines[i])) code.push(lines[i]);
  const box = el('div', 'code'), head = el('div', 'code-head'), pre = el('pre'), c = el('code', null, code.join('\n'));
  head.append(el('span', 'code-lang', m[2] || 'text'));
  if (opts.codeButton) head.append(opts.codeButton(() => c.textContent));
  if (m[2]) c.dataset.lang = m[2];
  pre.append(c); box.append(head, pre); frag.append(box);
  return i + 1;
}
function quote(lines, i, frag, opts) {
  const inner = [];
  for (let m; i < lines.length && (m = lines[i].match(QUOTE)); i++) inner.push(m[1]);
  const q = el('blockquote'); q.append(blocks(inner, opts)); frag.append(q);
  return i;
}
function list(lines, i, frag) {
  const first = lines[i].match(ITEM), ordered = /\d/.test(first[2]), indent = first[1].length;
  const l = el(ordered ? 'ol' : 'ul');
  if (ordered && parseInt(first[2], 10) !== 1) l.start = parseInt(first[2], 10);
  let li = null;
  for (; i < lines.length; i++) {
    const m = lines[i].match(ITEM);
    if (m && m[1].length <= indent + 1 && /\d/.test(m[2]) === ordered) {
      li = el('li'); inline(li, m[3]); l.append(li);
    } else if (m && m[1].length > indent + 1) {
      i = list(lines, i, li) - 1;
    } else if (lines[i].trim() && /^\s{2,}/.test(lines[i]) && li) {
      li.append(el('br')); inline(li, lines[i].trim());
    } else break;
  }
  frag.append(l);
  return i;
}
function table(lines, i, frag) {
  const head = cells(lines[i]), aligns = cells(lines[i + 1]).map(c =>
    c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : '');
  const wrap = el('div', 'table'), t = el('table'), thead = el('thead'), tbody = el('tbody');
  const row = (parent, vals, tag) => {
    const tr = el('tr');
    head.forEach((_, k) => {
      const c = el(tag); inline(c, vals[k] || '');
      if (aligns[k]) c.style.textAlign = aligns[k];
      tr.append(c);
    });
    parent.append(tr);
  };
  row(thead, head, 'th');
  for (i += 2; i < lines.length && lines[i].includes('|') && lines[i].trim(); i++) row(tbody, cells(lines[i]), 'td');
  t.append(thead, tbody); wrap.append(t); frag.append(wrap);
  return i;
}
function paragraph(lines, i, frag) {
  const buf = [];
  for (; i < lines.length && lines[i].trim(); i++) {
    const l = lines[i];
    if (buf.length && (FENCE.test(l) || HEADING.test(l) || QUOTE.test(l) || ITEM.test(l) || RULE.test(l))) break;
    buf.push(l.trim());
  }
  const p = el('p'); inline(p, buf.join('\n')); frag.append(p);
  return i;
}

// Inline parsing: code spans, links, autolinks, emphasis, strikethrough,
// backslash escapes and hard line breaks.
const INLINE = new RegExp([
  '\\\\([!-/:-@[-`{-~])',                    // 1 escape
  '(`+)([^`]|[^`][\\s\\S]*?[^`])\\2(?!`)',    // 2,3 code span
  '!?\\[([^\\]\\n]*)\\]\\(\\s*([^\\s()]+)\\s*\\)', // 4,5 link (images become links)
  '(https?:\\/\\/[^\\s<>]*[^\\s<>.,;:!?)\\]\'"])', // 6 autolink
  '(\\*\\*|__)(?=\\S)([\\s\\S]*?\\S)\\7',     // 7,8 strong
  '(?<!\\w)(\\*|_)(?=\\S)([\\s\\S]*?\\S)\\9(?!\\w)',  // 9,10 emphasis
  '~~(?=\\S)([\\s\\S]*?\\S)~~',               // 11 strikethrough
].join('|'), 'g');
function inline(parent, s) {
  const re = new RegExp(INLINE.source, 'g');
  let last = 0, m;
  while ((m = re.exec(s))) {
    text(parent, s.slice(last, m.index));
    last = re.lastIndex;
    if (m[1] != null) text(parent, m[1]);
    else if (m[2] != null) parent.append(el('code', null, m[3].replace(/\n/g, ' ')));
    else if (m[5] != null) link(parent, m[4] || m[5], m[5]);
    else if (m[6] != null) link(parent, m[6], m[6]);
    else if (m[8] != null) { const b = el('strong'); inline(b, m[8]); parent.append(b); }
    else if (m[10] != null) { const e = el('em'); inline(e, m[10]); parent.append(e); }
    else { const d = el('del'); inline(d, m[11]); parent.append(d); }
  }
  text(parent, s.slice(last));
}
// link appends a link with a plain-text label (no links inside links), or
// just the label when the target is not an http(s) or mailto URL.
function link(parent, label, href) {
  if (!SAFE_URL.test(href)) { text(parent, label); return; }
  const a = el('a', null, label);
  a.href = href; a.target = '_blank'; a.rel = 'noopener noreferrer';
  parent.append(a);
}
function text(parent, s) {
  s.split('\n').forEach((part, k) => { if (k) parent.append(el('br')); if (part) parent.append(part); });
}

// render returns a fragment for the Markdown src. opts.codeButton(getText),
// when given, makes the button shown in each code block's header.
return (src, opts = {}) => blocks(String(src).replace(/\r\n?/g, '\n').split('\n'), opts);
})();
