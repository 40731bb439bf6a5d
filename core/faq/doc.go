// Package faq owns the FAQ tier of the model router: the knowledge base file
// format (TOML [[entry]] tables of an answer, optionally one per language,
// and example questions, Chinese and English), its validation and atomic
// appends, a lexical index with optional embedding fusion, the fitted
// confidence that decides between answering directly, the business chain and
// the general chain, and the evaluation used to measure and tune it (imbot
// faq eval).
//
// Search scores a query against every example question (stemmed Latin words,
// concepts of a small English customer-service thesaurus and character
// 4-grams, CJK characters and bigrams, TF-IDF cosines) and blends per entry
// the cosine with the entry's centroid and with its nearest example. The
// confidence is the probability that the best entry is right, from a small
// logistic model over signals of the ranking that do not depend on the
// knowledge base's size (the best score, the runner-up's share of it, how
// much of the query the best entries cover, …), fitted on synthetic
// knowledge bases from CLINC150 with one to ninety examples per entry. The
// same threshold therefore means the same thing on a knowledge base with one
// example per entry and on one with a hundred.
package faq
