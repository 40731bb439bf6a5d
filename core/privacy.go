package core

import "imbot/core/safety/pii"

// Privacy masks personal data in what providers marked third-party receive,
// and optionally puts it back into their answers. A nil *Privacy masks
// nothing.
type Privacy struct {
	// Masker finds the personal data; nil masks nothing.
	Masker *pii.Masker
	// Restore puts the masked values back into the answer the user sees.
	Restore bool
	// Local says that no provider is third-party: a masked form would go
	// nowhere, so a prompt is scanned only when its answer could be cached
	// (the answer cache keeps nothing about personal data). The zero value
	// scans every prompt.
	Local bool
}

// placeholderHint asks a model to keep the placeholders it is sent, so
// that they can be restored in its answer.
const placeholderHint = "\n\nSome values in this conversation were replaced by bracketed placeholders such as [PHONE_1]; " +
	"when you refer to one, write the placeholder exactly as it is."

// request returns the request for msgs: the messages as they are for local
// providers and, when msgs hold personal data, their masked form for
// third-party ones. With every provider local (p.Local), msgs are scanned
// only when cacheable says the answer could be cached, and the masked form
// then only marks that they hold personal data. Placeholders are computed
// afresh from msgs each time, so nothing about them is stored.
func (p *Privacy) request(msgs []ModelMessage, cacheable bool) ModelRequest {
	req := ModelRequest{Messages: msgs}
	if p == nil || p.Masker == nil || (p.Local && !cacheable) {
		return req
	}
	texts := make([]string, len(msgs))
	for i, m := range msgs {
		texts[i] = m.Content
	}
	masked, mp := p.Masker.Mask(texts)
	if mp.Len() == 0 {
		return req
	}
	out := make([]ModelMessage, len(msgs))
	for i, m := range msgs {
		out[i] = ModelMessage{Role: m.Role, Content: masked[i]}
	}
	if len(out) > 0 && out[0].Role == "system" {
		out[0].Content += placeholderHint
	}
	req.Masked = &MaskedRequest{Messages: out}
	if p.Restore {
		req.Masked.Restore = func() TextStream { return mp.NewRestorer() }
	}
	return req
}
