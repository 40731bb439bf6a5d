package pii

import "strings"

// Restore returns s with every placeholder of the mapping replaced by its
// value. Anything else, including placeholder-shaped text the mapping does
// not know, is left as it is.
func (mp *Mapping) Restore(s string) string {
	out, _ := mp.restore(s, true)
	return out
}

// restore replaces the known placeholders of s. Unless final, it stops at a
// tail that is a proper prefix of a known placeholder and returns that tail
// as pending.
func (mp *Mapping) restore(s string, final bool) (out, pending string) {
	if len(mp.keys) == 0 {
		return s, ""
	}
	var b strings.Builder
	for {
		j := strings.IndexByte(s, '[')
		if j < 0 {
			b.WriteString(s)
			return b.String(), ""
		}
		b.WriteString(s[:j])
		s = s[j:]
		if v, n, ok := mp.at(s); ok {
			b.WriteString(v)
			s = s[n:]
			continue
		}
		if !final && mp.couldStart(s) {
			return b.String(), s
		}
		b.WriteByte('[')
		s = s[1:]
	}
}

// at returns the value of the known placeholder that s starts with.
func (mp *Mapping) at(s string) (value string, n int, ok bool) {
	end := strings.IndexByte(s[:min(len(s), mp.maxLen)], ']')
	if end < 0 {
		return "", 0, false
	}
	v, ok := mp.values[s[:end+1]]
	return v, end + 1, ok
}

// couldStart reports whether s is a proper prefix of a known placeholder.
func (mp *Mapping) couldStart(s string) bool {
	if len(s) >= mp.maxLen {
		return false
	}
	for _, k := range mp.keys {
		if len(s) < len(k) && strings.HasPrefix(k, s) {
			return true
		}
	}
	return false
}

// Restorer restores a model's answer that arrives in chunks. The
// concatenation of everything Write and Flush return equals Restore of the
// concatenated chunks, however the text is cut. It holds back only a tail
// that is a proper prefix of one of the mapping's placeholders. A Restorer is
// not safe for concurrent use; use one per answer.
type Restorer struct {
	mp      *Mapping
	pending string
}

// NewRestorer returns a streaming restorer for the mapping.
func (mp *Mapping) NewRestorer() *Restorer { return &Restorer{mp: mp} }

// Write feeds the next chunk and returns the text that is now final.
func (r *Restorer) Write(chunk string) string {
	out, pending := r.mp.restore(r.pending+chunk, false)
	r.pending = pending
	return out
}

// Flush returns the held-back tail, which can no longer become a
// placeholder, and resets the restorer.
func (r *Restorer) Flush() string {
	out, _ := r.mp.restore(r.pending, true)
	r.pending = ""
	return out
}
