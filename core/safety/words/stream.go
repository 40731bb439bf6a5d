package words

import "unicode/utf8"

// Stream masks a text that arrives in chunks, such as a model's answer. The
// concatenation of everything Write and Flush return equals Mask of the
// concatenated chunks, however the text is cut, even inside a UTF-8
// sequence. It holds back at most MaxLen runes (plus an incomplete UTF-8
// sequence): the tail that could still be the start of a word. A Stream is
// not safe for concurrent use; use one per answer.
type Stream struct {
	m      *Matcher
	state  int32
	pos    int    // runes fed so far
	base   int    // rune position of buf[0]
	buf    []byte // the original bytes of runes [base, pos)
	offs   []int  // offs[i] is the offset in buf of rune base+i
	carry  string // an incomplete UTF-8 sequence at the end of the last chunk
	spans  []span // merged hits (rune positions) not yet passed, ascending
	masked bool   // Replacement has been emitted for spans[0]
}

// NewStream returns a streaming masker that uses m.
func (m *Matcher) NewStream() *Stream { return &Stream{m: m} }

// Held is how many runes the stream holds back now.
func (s *Stream) Held() int { return s.pos - s.base }

// Write feeds the next chunk and returns the text that is now safe to send.
func (s *Stream) Write(chunk string) string {
	in := chunk
	if s.carry != "" {
		in = s.carry + chunk
	}
	i := 0
	for i < len(in) && utf8.FullRuneInString(in[i:]) {
		r, w := decode(in, i)
		s.feed(r, in[i:i+w])
		i += w
	}
	s.carry = in[i:]
	return s.emit(s.pos - int(s.m.a.nodes[s.state].depth))
}

// Flush returns the rest of the text, masked, and resets the stream for a
// new text.
func (s *Stream) Flush() string {
	for i := 0; i < len(s.carry); i++ { // each byte of a cut sequence is invalid
		s.feed(utf8.RuneError, s.carry[i:i+1])
	}
	out := s.emit(s.pos)
	*s = Stream{m: s.m, buf: s.buf[:0], offs: s.offs[:0], spans: s.spans[:0]}
	return out
}

// feed advances the automaton over one rune r, whose bytes are b.
func (s *Stream) feed(r rune, b string) {
	s.offs = append(s.offs, len(s.buf))
	s.buf = append(s.buf, b...)
	s.pos++
	s.state = s.m.a.next(s.state, s.m.f.fold(r))
	if l := int(s.m.a.nodes[s.state].outLen); l > 0 {
		s.spans = mergeSpan(s.spans, span{s.pos - l, s.pos})
	}
}

// emit returns the text of runes [base, b): no later hit can start before
// b, so it is final. A span that reaches past b has its Replacement emitted and
// its remaining runes skipped later.
func (s *Stream) emit(b int) string {
	var out []byte
	i := s.base
	for i < b {
		if len(s.spans) > 0 && i >= s.spans[0].start {
			if !s.masked {
				out, s.masked = append(out, Replacement...), true
			}
			if s.spans[0].end > b {
				i = b
				break
			}
			i, s.spans, s.masked = s.spans[0].end, s.spans[1:], false
			continue
		}
		next := b
		if len(s.spans) > 0 && s.spans[0].start < b {
			next = s.spans[0].start
		}
		out = append(out, s.buf[s.off(i):s.off(next)]...)
		i = next
	}
	s.drop(i)
	return string(out)
}

// off is the offset in buf of rune position p, base <= p <= pos.
func (s *Stream) off(p int) int {
	if p == s.pos {
		return len(s.buf)
	}
	return s.offs[p-s.base]
}

// drop forgets the runes before position p.
func (s *Stream) drop(p int) {
	cut := s.off(p)
	s.buf = s.buf[:copy(s.buf, s.buf[cut:])]
	s.offs = s.offs[:copy(s.offs, s.offs[p-s.base:])]
	for j := range s.offs {
		s.offs[j] -= cut
	}
	s.base = p
}
