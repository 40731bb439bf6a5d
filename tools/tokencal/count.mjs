// count.mjs prints reference BPE token counts (o200k_base and cl100k_base)
// for a text corpus, one JSON object per line, so the Go estimator in
// core/token can be fitted and checked against a real tokenizer.
//
// Usage (from this folder, after `npm install`):
//
//   node count.mjs --corpus ../../core/token/testdata/corpus.json
//   node count.mjs --with-text --corpus ../../core/token/testdata/corpus.json \
//       --clinc ../../../shared/data/clinc150/data_full.json --sample 3000
//   node count.mjs --with-text --clinc ../../../shared/data/clinc150/data_full.json \
//       --sample 3000 --offset 3   # a held-out sample: other utterances
//   node count.mjs --vocab o200k_base   # the vocabulary, one hex token a line
//   node count.mjs --memory             # heap cost of loading the vocabularies
//
// Output lines: {"id","lang","o200k","cl100k"} plus "text" with --with-text.
// CLINC150 utterances are sampled deterministically (every k-th utterance of
// all splits, starting at --offset) and are only ever written to stdout,
// never into the repository.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    corpus: { type: 'string', multiple: true, default: [] },
    clinc: { type: 'string' },
    sample: { type: 'string', default: '2000' },
    offset: { type: 'string', default: '0' },
    'with-text': { type: 'boolean', default: false },
    vocab: { type: 'string' },
    memory: { type: 'boolean', default: false },
  },
});

async function encodings() {
  const o200k = await import('gpt-tokenizer/encoding/o200k_base');
  const cl100k = await import('gpt-tokenizer/encoding/cl100k_base');
  return { o200k, cl100k };
}

function readCorpus(path) {
  const items = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(items)) throw new Error(`${path}: want a JSON array of {id, lang, text}`);
  return items;
}

function readClinc(path, want, offset) {
  const data = JSON.parse(readFileSync(path, 'utf8'));
  const all = [];
  for (const split of ['train', 'val', 'test', 'oos_train', 'oos_val', 'oos_test']) {
    for (const [text] of data[split] ?? []) all.push(text);
  }
  const step = Math.max(1, Math.floor(all.length / want));
  const out = [];
  for (let i = offset; i < all.length && out.length < want; i += step) {
    out.push({ id: `clinc-${i}`, lang: 'en', text: all[i] });
  }
  return out;
}

function hex(token) {
  const bytes = typeof token === 'string' ? Buffer.from(token, 'utf8') : Buffer.from(token);
  return bytes.toString('hex');
}

async function dumpVocab(name) {
  const { default: ranks } = await import(`gpt-tokenizer/bpeRanks/${name}`);
  const lines = [];
  for (const token of ranks) {
    if (token !== undefined) lines.push(hex(token));
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function memory() {
  globalThis.gc?.();
  const before = process.memoryUsage();
  const { o200k, cl100k } = await encodings();
  o200k.countTokens('warm up the o200k merge tables');
  cl100k.countTokens('warm up the cl100k merge tables');
  globalThis.gc?.();
  const after = process.memoryUsage();
  const mib = (n) => Math.round((n / 1048576) * 10) / 10;
  console.log(JSON.stringify({
    heap_used_mib: mib(after.heapUsed - before.heapUsed),
    rss_mib: mib(after.rss - before.rss),
  }));
}

async function count() {
  const items = opts.corpus.flatMap(readCorpus);
  if (opts.clinc) items.push(...readClinc(opts.clinc, Number(opts.sample), Number(opts.offset)));
  if (items.length === 0) throw new Error('nothing to count: give --corpus and/or --clinc');
  const { o200k, cl100k } = await encodings();
  for (const { id, lang, text } of items) {
    const line = { id, lang, o200k: o200k.countTokens(text), cl100k: cl100k.countTokens(text) };
    if (opts['with-text']) line.text = text;
    process.stdout.write(JSON.stringify(line) + '\n');
  }
}

if (opts.vocab) await dumpVocab(opts.vocab);
else if (opts.memory) await memory();
else await count();
