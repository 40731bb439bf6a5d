package knowledge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"imbot/core"
	"imbot/core/faq"
)

// faqAddUsage explains /faq add.
const faqAddUsage = "Usage: /faq add <id> <answer>\n" +
	"Example questions go on their own lines after the answer, each starting with \"?\". " +
	"Without them, the last question asked in this conversation is used."

// Command is /faq: `/faq add <id> <answer>` appends an entry to the
// knowledge base file and rebuilds kb's index. Only the users admins
// returns may run it; it is asked at every command, so a reload of [router]
// admins takes effect at once.
func Command(admins func() []string, kb *Base, history core.History) core.Command {
	return core.Command{
		Name: "faq",
		Help: "admins: /faq add <id> <answer> adds a knowledge base entry",
		Run: func(ctx context.Context, req core.CommandRequest) (string, error) {
			env := req.Envelope
			if !slices.Contains(admins(), env.Sender()) {
				return "Only the bot's admins may change the knowledge base.", nil
			}
			sub, rest, _ := strings.Cut(req.Args, " ")
			if sub != "add" {
				return faqAddUsage, nil
			}
			entry, err := parseFAQAdd(ctx, rest, env, history)
			var bad usageError
			if errors.As(err, &bad) {
				return string(bad) + "\n\n" + faqAddUsage, nil
			}
			if err != nil {
				return "", fmt.Errorf("faq add: %w", err)
			}
			path := kb.file()
			if path == "" {
				return "The built-in knowledge base is read-only: set [router] faq_file to a file of your own first.", nil
			}
			if err := faq.AppendEntry(path, entry); err != nil {
				return fmt.Sprintf("Not added: %v", err), nil
			}
			if err := kb.rebuild(ctx); err != nil {
				return "", fmt.Errorf("faq add: reload: %w", err)
			}
			return fmt.Sprintf("Added %q with %d example question(s); the knowledge base is reloaded.", entry.ID, len(entry.Questions)), nil
		},
	}
}

// usageError is a mistake in a /faq add command, told to the admin as is.
type usageError string

func (e usageError) Error() string { return string(e) }

// parseFAQAdd reads "<id> <answer>[\n? question…]". Without example
// questions it takes the conversation's last user question.
func parseFAQAdd(ctx context.Context, args string, env core.Envelope, history core.History) (faq.Entry, error) {
	id, body, _ := strings.Cut(strings.TrimSpace(args), " ")
	var answer, questions []string
	for _, line := range strings.Split(body, "\n") {
		if q, ok := strings.CutPrefix(strings.TrimSpace(line), "?"); ok {
			if q = strings.TrimSpace(q); q != "" {
				questions = append(questions, q)
			}
			continue
		}
		answer = append(answer, line)
	}
	e := faq.Entry{ID: id, Answer: strings.TrimSpace(strings.Join(answer, "\n")), Questions: questions}
	if e.ID == "" || e.Answer == "" {
		return faq.Entry{}, usageError("Both an id and an answer are needed.")
	}
	if len(e.Questions) == 0 {
		q, err := lastQuestion(ctx, env, history)
		if err != nil {
			return faq.Entry{}, err
		}
		e.Questions = []string{q}
	}
	return e, nil
}

// lastQuestion returns the newest user message of env's conversation.
func lastQuestion(ctx context.Context, env core.Envelope, history core.History) (string, error) {
	msgs, err := history.Recent(ctx, env.Conversation(), 20)
	if err != nil {
		return "", fmt.Errorf("read history: %w", err)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == core.RoleUser {
			return msgs[i].Text, nil
		}
	}
	return "", usageError("No earlier question in this conversation to use as an example.")
}
