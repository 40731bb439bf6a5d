// Package faq owns the FAQ tier of the model router: the knowledge base file
// format (TOML [[entry]] tables of an answer, optionally one per language,
// and example questions, Chinese and English), its validation and atomic
// appends, a lexical index with optional embedding fusion, the calibrated
// confidence that decides between answering directly, the business chain and
// the general chain, and the evaluation used to measure and tune it (imbot
// faq eval).
//
// Search scores a query against every example question (stemmed Latin words,
// concepts of a small English customer-service thesaurus and character
// 4-grams, CJK characters and bigrams, TF-IDF cosines), blends per
// entry the cosine with the entry's centroid and with its nearest example,
// and takes the margin of the best entry over the runner-up. The confidence
// is that margin's rank in a null distribution computed when the index is
// built: the margins of the knowledge base's own example questions when the
// entry each belongs to is hidden. It is therefore scale-free: the same
// threshold means the same thing on a knowledge base with one example per
// entry and on one with a hundred.
package faq
