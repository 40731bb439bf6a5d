package knowledge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/faq"
)

// Command is /faq: `/faq add <id> <answer>` appends an entry to the
// knowledge base file (or, shared among replicas, keeps it in the shared
// store and tells the other replicas) and rebuilds kb's index. Only the users admins
// returns may run it; it is asked at every command, so a reload of [router]
// admins takes effect at once.
func Command(admins func() []string, kb *Base, history core.History) core.Command {
	return core.Command{
		Name: "faq",
		Help: catalog.HelpFAQ,
		Run: func(ctx context.Context, req core.CommandRequest) (string, error) {
			env := req.Envelope
			if !slices.Contains(admins(), env.Sender()) {
				return req.Text(catalog.FAQAdminOnly), nil
			}
			sub, rest, _ := strings.Cut(req.Args, " ")
			if sub != "add" {
				return req.Text(catalog.FAQAddUsage), nil
			}
			entry, err := parseFAQAdd(ctx, rest, env, history)
			var bad usageError
			if errors.As(err, &bad) {
				return req.Text(bad.id) + "\n\n" + req.Text(catalog.FAQAddUsage), nil
			}
			if err != nil {
				return "", fmt.Errorf("faq add: %w", err)
			}
			path := kb.file()
			if path == "" && kb.shared == nil {
				return req.Text(catalog.FAQReadOnly), nil
			}
			if err := kb.addEntry(ctx, path, entry); err != nil {
				return req.Text(catalog.FAQNotAdded, "error", err.Error()), nil
			}
			if err := kb.rebuild(ctx); err != nil {
				return "", fmt.Errorf("faq add: reload: %w", err)
			}
			if err := kb.Announce(ctx); err != nil {
				kb.log.Warn("faq add: other replicas not told; they pick the entry up at their next reload", "err", err)
			}
			return req.Text(catalog.FAQAdded, "id", entry.ID, "count", strconv.Itoa(len(entry.Questions))), nil
		},
	}
}

// usageError is a mistake in a /faq add command, told to the admin in
// their language by its catalogue id.
type usageError struct{ id catalog.ID }

func (e usageError) Error() string { return "faq add: " + string(e.id) }

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
		return faq.Entry{}, usageError{catalog.FAQNeedIDAnswer}
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
	return "", usageError{catalog.FAQNoEarlierQuestion}
}
