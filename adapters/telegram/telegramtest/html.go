package telegramtest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// allowedTags are the tags of Telegram's HTML parse mode this fake accepts.
var allowedTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "tg-spoiler": true, "a": true,
	"code": true, "pre": true, "blockquote": true,
}

// ParseHTML parses s the way Telegram's HTML parse mode does and returns
// the visible text. It fails, as Telegram does, on unknown tags, unbalanced
// or crossed tags, formatting inside code, nested block quotes and "<", ">"
// or "&" that are not part of a tag or an entity.
func ParseHTML(s string) (string, error) {
	var plain strings.Builder
	var stack []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			var err error
			if stack, err = applyTag(stack, s[i+1:i+end]); err != nil {
				return "", fmt.Errorf("%w at byte offset %d", err, i)
			}
			i += end + 1
		case '>':
			return "", fmt.Errorf("unexpected \">\" at byte offset %d", i)
		case '&':
			r, n, err := entity(s[i:])
			if err != nil {
				return "", fmt.Errorf("%w at byte offset %d", err, i)
			}
			plain.WriteString(r)
			i += n
		default:
			plain.WriteByte(s[i])
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("can't find end tag corresponding to start tag %q", stack[len(stack)-1])
	}
	return plain.String(), nil
}

// applyTag checks one tag (without its angle brackets) against the stack of
// open tags and returns the new stack.
func applyTag(stack []string, tag string) ([]string, error) {
	if strings.HasPrefix(tag, "/") {
		name := strings.TrimSpace(tag[1:])
		if len(stack) == 0 || stack[len(stack)-1] != name {
			return nil, fmt.Errorf("unmatched end tag %q", name)
		}
		return stack[:len(stack)-1], nil
	}
	name, attrs, _ := strings.Cut(tag, " ")
	if !allowedTags[name] {
		return nil, fmt.Errorf("unsupported start tag %q", name)
	}
	if err := checkAttrs(name, attrs); err != nil {
		return nil, err
	}
	if n := len(stack); n > 0 {
		parent := stack[n-1]
		if parent == "code" || (parent == "pre" && name != "code") {
			return nil, fmt.Errorf("tag %q inside %q", name, parent)
		}
	}
	for _, open := range stack {
		if name == "blockquote" && open == "blockquote" {
			return nil, errors.New("nested blockquote")
		}
	}
	return append(stack, name), nil
}

func checkAttrs(name, attrs string) error {
	attrs = strings.TrimSpace(attrs)
	switch {
	case attrs == "":
		if name == "a" {
			return errors.New("a tag without href")
		}
		return nil
	case name == "a" && strings.HasPrefix(attrs, `href="`) && strings.HasSuffix(attrs, `"`):
		_, err := decodeText(attrs[len(`href="`) : len(attrs)-1])
		return err
	case name == "code" && strings.HasPrefix(attrs, `class="language-`) && strings.HasSuffix(attrs, `"`):
		return nil
	}
	return fmt.Errorf("unsupported attributes %q of tag %q", attrs, name)
}

// decodeText decodes entities in s, which must contain no tags.
func decodeText(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch s[i] {
		case '<', '>', '"':
			return "", fmt.Errorf("unexpected %q", s[i])
		case '&':
			r, n, err := entity(s[i:])
			if err != nil {
				return "", err
			}
			b.WriteString(r)
			i += n
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), nil
}

// entity decodes the character entity at the start of s and returns its
// text and length.
func entity(s string) (string, int, error) {
	end := strings.IndexByte(s, ';')
	if end < 0 || end > 10 {
		return "", 0, errors.New("character entity expected")
	}
	name := s[1:end]
	switch name {
	case "lt":
		return "<", end + 1, nil
	case "gt":
		return ">", end + 1, nil
	case "amp":
		return "&", end + 1, nil
	case "quot":
		return `"`, end + 1, nil
	}
	if strings.HasPrefix(name, "#") {
		base, digits := 10, name[1:]
		if strings.HasPrefix(digits, "x") {
			base, digits = 16, digits[1:]
		}
		if n, err := strconv.ParseUint(digits, base, 32); err == nil && n > 0 && n <= 0x10FFFF {
			return string(rune(n)), end + 1, nil
		}
	}
	return "", 0, fmt.Errorf("unsupported entity %q", name)
}

// UTF16Len counts s the way Telegram counts message length.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
