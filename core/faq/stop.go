package faq

// stopWeight scales the features of Chinese function characters: question
// words, pronouns, auxiliaries and particles ("怎么", "什么", "吗"). They are in
// nearly every question of a knowledge base, so matching on them says little
// about which entry a query is for, and in a small knowledge base their
// inverse document frequency cannot tell. (The same damping of English
// function words lowered CLINC150 coverage, so Latin words are not damped.)
const stopWeight = 0.25

// cjkStop reports whether a CJK character is a function character: a
// particle, pronoun, auxiliary or question word. A bigram with a function
// character is damped too: it is either a function word ("怎么") or, more
// often, spans a word boundary ("么退" in "怎么退款"), which is noise that a
// word segmenter would not produce.
func cjkStop(r rune) bool {
	switch r {
	case '的', '了', '吗', '呢', '吧', '啊', '呀', '嘛', '哦', '啦', '么', '怎', '什', '哪', '里', '如', '何',
		'我', '你', '您', '他', '她', '它', '们', '是', '在', '有', '能', '可', '以', '要', '会', '想',
		'请', '问', '把', '被', '给', '和', '与', '或', '就', '都', '还', '也', '这', '那', '个', '一',
		'该', '为', '着', '过', '得', '地', '样', '些':
		return true
	}
	return false
}
