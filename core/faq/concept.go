package faq

import (
	"math"
	"strings"
)

// conceptGroups is a small thesaurus of everyday English customer-service
// vocabulary: each line is one concept, its words and two-word phrases
// separated by commas. It was written from general knowledge of shop and
// service questions, not from any knowledge base or test query (one
// over-broad word, "open", was taken out after measuring). Words are matched
// by their stem (see stem), so one form per word is enough; a phrase is two
// consecutive words. A concept is indexed beside the words that name it, so
// "send back" matches "return" while the words themselves still tell
// "return" and "refund" apart. (A Chinese half, matched as substrings of
// Chinese runs, was measured and dropped: see docs/faq.md.)
const conceptGroups = `return, send back, give back, take back
refund, money back, reimburse, reimbursement
exchange, swap, replace, replacement
ship, deliver, delivery, dispatch, courier, post, mail, parcel, package
shipping cost, postage, delivery fee, shipping fee
arrive, arrival, receive
track, tracking, trace
order, purchase, buy
cancel, unsubscribe, call off
account, profile
login, log in, sign in, logon
register, sign up, registration
password, passcode
forget, reset, recover
pay, payment, checkout
card, credit card, debit card
installment, instalment
price, cost, fee, how much, expensive, cheap
free, no charge
discount, coupon, promo, promotion, voucher, sale, deal
invoice, receipt
warranty, guarantee
repair, fix
broken, damage, defective, faulty, not work
wrong, incorrect, mistake
missing, lost, never arrive
contact, reach, call, phone, email, customer service, support, agent, human
hour, opening hour, closing time
store, shop, branch, outlet
change, modify, edit, update, alter
size, fit, measurement
stock, in stock, available, availability, sold out, out of stock, restock
gift, present, wrap
member, membership, loyalty, point, reward, vip
subscription, subscribe, newsletter
international, abroad, overseas, foreign, worldwide, country
how long
privacy, personal data, personal information
delete, remove, close account
app, mobile, application
genuine, authentic, original, fake, counterfeit
wholesale, bulk
clean, wash, care
expire, expiry, shelf life, best before
`

// conceptWeight is the term-frequency factor of a concept feature relative
// to a word, for a knowledge base with perEntry example questions per entry
// on average: 1 for one example, falling as 1/√perEntry. Concepts bridge
// paraphrases that few examples cannot; with many examples per entry the
// examples already span the wording, and concepts shared between entries
// only blur them (on CLINC150, 100 examples per intent, full-weight
// concepts lowered the tuned coverage from 0.58 to 0.53).
func conceptWeight(perEntry float64) float32 {
	return float32(1 / math.Sqrt(max(perEntry, 1)))
}

// conceptTable maps a term's key (see conceptKey) to its concept number,
// from conceptGroups. It is built once at package initialisation and never
// modified.
var conceptTable = buildConcepts(conceptGroups)

// buildConcepts parses groups: one concept per line, terms separated by
// commas; concepts number from 1.
func buildConcepts(groups string) map[string]uint32 {
	ids := make(map[string]uint32)
	for id, line := range strings.Split(strings.TrimSpace(groups), "\n") {
		for _, term := range strings.Split(line, ",") {
			ids[conceptKey(term)] = uint32(id + 1)
		}
	}
	return ids
}

// conceptKey returns the lookup key of a term: the stems of its words
// joined by a space.
func conceptKey(term string) string {
	words := strings.Fields(term)
	for i, w := range words {
		words[i] = string(stem([]byte(w)))
	}
	return strings.Join(words, " ")
}
