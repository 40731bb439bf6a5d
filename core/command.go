package core

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"imbot/core/catalog"
)

// Command is a chat command such as /help, run in its conversation's order.
type Command struct {
	// Name is the command word without the slash, in lower case.
	Name string
	// Aliases are other words that run the same command.
	Aliases []string
	// Help is the catalogue id of the command's line in /help, shown in the
	// user's language.
	Help catalog.ID
	// Run returns the reply text. It runs on the dispatcher's worker for the
	// conversation, so it sees every earlier turn of it completed.
	Run func(ctx context.Context, req CommandRequest) (string, error)
}

// CommandRequest is one invocation of a Command.
type CommandRequest struct {
	Envelope Envelope
	// Args is the text after the command word, trimmed.
	Args string
	// Texts is the message catalogue replies are written from.
	Texts *catalog.Catalog
}

// Text returns the catalogue's text id in the turn's language, with its
// placeholders filled from args (name, value pairs).
func (r CommandRequest) Text(id catalog.ID, args ...string) string {
	return r.Texts.Text(r.Envelope.Lang, id, args...)
}

// askCommand is the command word whose argument is an ordinary question
// ("/ask what is…"), which addresses the bot in a group.
const askCommand = "ask"

// commandSet finds commands by name or alias.
type commandSet struct {
	byName map[string]*Command
	list   []*Command
}

// newCommandSet indexes cmds by name and alias; a word used twice, or the
// reserved /ask, is an error.
func newCommandSet(cmds []Command) (*commandSet, error) {
	s := &commandSet{byName: make(map[string]*Command)}
	for i := range cmds {
		c := &cmds[i]
		for _, n := range append([]string{c.Name}, c.Aliases...) {
			if n == askCommand {
				return nil, fmt.Errorf("core: command /%s is reserved", n)
			}
			if _, dup := s.byName[n]; dup {
				return nil, fmt.Errorf("core: command /%s registered twice", n)
			}
			s.byName[n] = c
		}
		s.list = append(s.list, c)
	}
	sort.Slice(s.list, func(i, j int) bool { return s.list[i].Name < s.list[j].Name })
	return s, nil
}

// parse splits text into a known command and its arguments. ok is false
// for ordinary text, including a slash word that is no command of ours.
func (s *commandSet) parse(text string) (cmd *Command, args string, ask, ok bool) {
	word, rest, found := parseCommandWord(text)
	if !found {
		return nil, "", false, false
	}
	if word == askCommand {
		return nil, rest, true, true
	}
	c, ok := s.byName[word]
	return c, rest, false, ok
}

// parseCommandWord returns the lower-cased word after a leading slash and
// the trimmed rest of the text.
func parseCommandWord(text string) (word, rest string, ok bool) {
	text = strings.TrimSpace(text)
	if len(text) < 2 || text[0] != '/' {
		return "", "", false
	}
	word, rest, _ = strings.Cut(text[1:], " ")
	if i := strings.IndexAny(word, "\n\t"); i >= 0 {
		rest = word[i:] + " " + rest
		word = word[:i]
	}
	return strings.ToLower(word), strings.TrimSpace(rest), word != ""
}

// helpText lists the commands, one per line, in lang. A help text that
// names its own command (it shows its arguments, as /faq's does) is the
// whole line; others are shown as "/name — help".
func (s *commandSet) helpText(texts *catalog.Catalog, lang catalog.Lang) string {
	lines := []string{texts.Text(lang, catalog.HelpIntro), texts.Text(lang, catalog.HelpAsk)}
	for _, c := range s.list {
		help := texts.Text(lang, c.Help)
		if !strings.Contains(help, "/"+c.Name) {
			help = texts.Text(lang, catalog.HelpLine, "command", c.Name, "help", help)
		}
		lines = append(lines, help)
	}
	return strings.Join(lines, "\n")
}

// builtinCommands are the commands every deployment has.
func builtinCommands(history History, help func(lang catalog.Lang) string) []Command {
	return []Command{
		{Name: "help", Aliases: []string{"start"}, Help: catalog.HelpHelp,
			Run: func(_ context.Context, req CommandRequest) (string, error) { return help(req.Envelope.Lang), nil }},
		{Name: "reset", Aliases: []string{"new"}, Help: catalog.HelpReset,
			Run: func(ctx context.Context, req CommandRequest) (string, error) {
				if err := history.Reset(ctx, req.Envelope.Conversation()); err != nil {
					return "", fmt.Errorf("reset: %w", err)
				}
				return req.Text(catalog.ResetDone), nil
			}},
	}
}
