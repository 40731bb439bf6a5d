package catalog

import (
	"container/list"
	"sync"
)

// DefaultRememberedUsers is how many users' last language a Picker keeps
// unless WithRememberedUsers says otherwise.
const DefaultRememberedUsers = 10000

// Picker picks the language to answer a user in. Its methods are safe for
// concurrent use.
type Picker struct {
	def   Lang
	size  int
	mu    sync.Mutex
	order *list.List // front is the most recently seen user
	users map[string]*list.Element
}

// remembered is one user's last detected language.
type remembered struct {
	user string
	lang Lang
}

// PickerOption configures a Picker.
type PickerOption func(*Picker)

// WithRememberedUsers bounds how many users' last language the Picker keeps;
// the least recently seen is forgotten first. n below 1 keeps none.
func WithRememberedUsers(n int) PickerOption {
	return func(p *Picker) { p.size = max(n, 0) }
}

// NewPicker returns a Picker whose last resort is def (English unless def
// is Chinese).
func NewPicker(def Lang, opts ...PickerOption) *Picker {
	if def != ZH {
		def = EN
	}
	p := &Picker{def: def, size: DefaultRememberedUsers, order: list.New(), users: map[string]*list.Element{}}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Default returns the language of last resort.
func (p *Picker) Default() Lang { return p.def }

// Pick returns the language for user's message text: the language of text
// when Detect finds one (and remembers it for user), else user's last
// detected language, else the platform's language code platformTag (may be
// empty), else the default. user is any stable key, such as
// "platform:user_id"; an empty user is never remembered.
func (p *Picker) Pick(user, text, platformTag string) Lang {
	if l, ok := Detect(text); ok {
		p.remember(user, l)
		return l
	}
	if l, ok := p.last(user); ok {
		return l
	}
	if l, ok := FromTag(platformTag); ok {
		return l
	}
	return p.def
}

// remember records lang as user's last language, forgetting the least
// recently seen user when full.
func (p *Picker) remember(user string, lang Lang) {
	if user == "" || p.size == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.users[user]; ok {
		e.Value.(*remembered).lang = lang
		p.order.MoveToFront(e)
		return
	}
	p.users[user] = p.order.PushFront(&remembered{user: user, lang: lang})
	if p.order.Len() > p.size {
		oldest := p.order.Back()
		p.order.Remove(oldest)
		delete(p.users, oldest.Value.(*remembered).user)
	}
}

// last returns user's last detected language, if remembered.
func (p *Picker) last(user string) (Lang, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.users[user]
	if !ok {
		return "", false
	}
	p.order.MoveToFront(e)
	return e.Value.(*remembered).lang, true
}
