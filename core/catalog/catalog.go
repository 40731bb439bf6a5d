// Package catalog owns every text a user reads, in Chinese and English: the
// message ids, the built-in texts, the operator's overrides from [texts.zh]
// and [texts.en], and the rule that picks a user's language.
//
// Texts name their placeholders ({command}, {limit}) so that a translation
// may reorder them; an override must use the same placeholders as the text
// it replaces.
package catalog

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Lang is a language the catalogue has texts in.
type Lang string

// The languages of the catalogue.
const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// Config is the [texts] section: per language, texts keyed by message id.
// It is decoded from TOML as [texts.zh] and [texts.en].
type Config struct {
	ZH map[string]string `toml:"zh"`
	EN map[string]string `toml:"en"`
}

// Catalog holds the texts of every message. Its methods are safe for
// concurrent use. Text on a nil *Catalog gives the built-in texts.
type Catalog struct {
	mu       sync.RWMutex
	defaults map[ID][2]string // index 0 zh, 1 en
	both     map[ID]string    // single-text overrides for both languages
	byLang   map[Lang]map[ID]string
}

// New returns a catalogue of the built-in texts with cfg's overrides. Its
// error names every bad key by its path (texts.zh.<id>).
func New(cfg Config) (*Catalog, error) {
	c := &Catalog{defaults: defaultsByID(), both: map[ID]string{}, byLang: map[Lang]map[ID]string{ZH: {}, EN: {}}}
	var errs []error
	for _, l := range []struct {
		lang Lang
		m    map[string]string
	}{{ZH, cfg.ZH}, {EN, cfg.EN}} {
		for _, key := range sortedKeys(l.m) {
			if err := c.check(ID(key), l.m[key]); err != nil {
				errs = append(errs, fmt.Errorf("texts.%s.%s: %w", l.lang, key, err))
				continue
			}
			c.byLang[l.lang][ID(key)] = l.m[key]
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// SetBoth sets one text for both languages, as a single-language config key
// such as degraded_reply does. An override of the same id in [texts.zh] or
// [texts.en] still wins for its language.
func (c *Catalog) SetBoth(id ID, text string) error {
	if err := c.check(id, text); err != nil {
		return fmt.Errorf("catalog: %s: %w", id, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.both[id] = text
	return nil
}

// Replace makes c hold src's overrides, in one step under c's lock (on
// reload): every holder of c reads the new texts from its next Text on.
// src is copied, not shared.
func (c *Catalog) Replace(src *Catalog) {
	src.mu.RLock()
	both := maps.Clone(src.both)
	byLang := make(map[Lang]map[ID]string, len(src.byLang))
	for l, m := range src.byLang {
		byLang[l] = maps.Clone(m)
	}
	src.mu.RUnlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.both, c.byLang = both, byLang
}

// check reports whether text may replace id's built-in text.
func (c *Catalog) check(id ID, text string) error {
	def, ok := c.defaults[id]
	if !ok {
		return errors.New("no such message id")
	}
	if strings.TrimSpace(text) == "" {
		return errors.New("must not be empty")
	}
	if got, want := Placeholders(text), Placeholders(def[1]); !slices.Equal(got, want) {
		return fmt.Errorf("placeholders %v, want %v", got, want)
	}
	return nil
}

// Text returns id's text in lang with its placeholders filled from args,
// given as name, value pairs. A text missing in lang falls back to English,
// then Chinese, then the id itself; it never panics.
func (c *Catalog) Text(lang Lang, id ID, args ...string) string {
	return fill(c.raw(lang, id), args)
}

// raw returns id's unfilled text in lang (any language but Chinese reads
// English): the [texts] override, else the text set for both languages,
// else the built-in one.
func (c *Catalog) raw(lang Lang, id ID) string {
	if lang != ZH {
		lang = EN
	}
	if c == nil {
		return lookupDefault(defaultsByID(), lang, id)
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if t := c.byLang[lang][id]; t != "" {
		return t
	}
	if t := c.both[id]; t != "" {
		return t
	}
	return lookupDefault(c.defaults, lang, id)
}

// lookupDefault returns id's built-in text in lang, falling back to
// English, then Chinese, then the id.
func lookupDefault(defaults map[ID][2]string, lang Lang, id ID) string {
	d, ok := defaults[id]
	switch {
	case !ok:
		return string(id)
	case lang == ZH && d[0] != "":
		return d[0]
	case d[1] != "":
		return d[1]
	case d[0] != "":
		return d[0]
	}
	return string(id)
}

// fill replaces each {name} of text with its value from the name, value
// pairs in args, in one pass: a value is never expanded again. An unpaired
// last name is ignored.
func fill(text string, args []string) string {
	if len(args) < 2 {
		return text
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+args[i]+"}", args[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// placeholderRE matches a {name} placeholder.
func placeholderRE() *regexp.Regexp { return regexp.MustCompile(`\{[a-z][a-z0-9_]*\}`) }

// Placeholders returns the distinct {name} placeholders of text, sorted.
func Placeholders(text string) []string {
	found := placeholderRE().FindAllString(text, -1)
	slices.Sort(found)
	return slices.Compact(found)
}

// IDs returns every message id of the catalogue, in a fixed order.
func IDs() []ID {
	t := allEntries()
	ids := make([]ID, len(t))
	for i, e := range t {
		ids[i] = e.id
	}
	return ids
}

// defaultsByID indexes the built-in texts by id.
func defaultsByID() map[ID][2]string {
	t := allEntries()
	m := make(map[ID][2]string, len(t))
	for _, e := range t {
		m[e.id] = [2]string{e.zh, e.en}
	}
	return m
}

// sortedKeys returns m's keys in order, so errors come out the same each time.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
