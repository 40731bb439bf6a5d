// Package pii owns the masking of personal data in what is sent to a
// third-party model and its restoring in the answer: scanners for mainland
// mobile numbers, resident ID numbers (GB 11643 checksum), bank-card numbers
// (Luhn) and e-mail addresses, operator-configured regular expressions,
// placeholders such as [PHONE_1] numbered by first appearance in the
// conversation window, and one-shot and streaming restoring.
//
// The placeholders are recomputed each turn from the raw messages, so no
// mapping is ever stored; the same value gets the same placeholder in every
// turn as long as the window starts at the same message.
package pii
