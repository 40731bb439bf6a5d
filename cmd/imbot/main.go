// Command imbot connects chat platforms to language models. Run "imbot help"
// for its subcommands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	// Zone data inside the binary, so [router] timezone works under a
	// sandboxed unit or on a host without /usr/share/zoneinfo.
	_ "time/tzdata"

	"imbot/admin"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `usage: imbot <command> [flags]

commands:
  serve           run the daemon (web chat, adapters, /healthz, /readyz, /metrics)
  chat            talk to the bot in this terminal, with the same core and store
  onboard         answer a few questions and get a working config and env file
  check           every config problem with its line, then live checks (-offline: file only)
  backup          write a consistent copy of the store (online)
  export          write every conversation as JSON lines (personal data masked; -raw keeps it)
  forget-user     erase one user's history, questions and usage: forget-user PLATFORM:ID
  stats           show what the store holds and its file's free space
  compact         shrink the store's file (offline: stop the daemon first)
  migrate         create or upgrade the PostgreSQL schema ([store] backend = "postgres"; serve does it too)
  migrate-store   copy a bbolt store into PostgreSQL: migrate-store -from bbolt:FILE -to postgres
  faq eval        measure the FAQ tier on a labelled set
  faq unanswered  export the questions the bot could not answer well
  feedback        export the 👍/👎 votes on answers (-since, -format jsonl|csv)
  experiments report  compare the experiment arms: votes, tokens, latency, z-test
  review          questions to review (unanswered, 👎, low confidence) grouped by FAQ entry
  version         print the version

Each command takes -config FILE; run "imbot <command> -h" for its flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(args[1:], stdout, stderr)
	case "chat":
		err = runChat(args[1:], os.Stdin, stdout, stderr)
	case "check":
		return runCheck(args[1:], stdout, stderr)
	case "onboard":
		err = runOnboard(args[1:], os.Stdin, stdout, stderr)
	case "backup":
		err = runBackup(args[1:], stdout, stderr)
	case "export":
		err = runExport(args[1:], stdout, stderr)
	case "forget-user":
		err = runForgetUser(args[1:], stdout, stderr)
	case "stats":
		err = runStats(args[1:], stdout, stderr)
	case "compact":
		err = runCompact(args[1:], stdout, stderr)
	case "migrate":
		err = runMigrate(args[1:], stdout, stderr)
	case "migrate-store":
		err = runMigrateStore(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "imbot", version)
	case "faq":
		err = runFAQ(args[1:], stdout, stderr)
	case "experiments":
		err = runExperiments(args[1:], stdout, stderr)
	case "review":
		err = runReview(args[1:], stdout, stderr)
	case "feedback":
		err = runList("feedback", admin.Feedback, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "imbot: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "imbot:", err)
		return 1
	}
	return 0
}

// command is a subcommand's flag set with the -config flag they share.
type command struct {
	*flag.FlagSet
	configPath *string
}

// newCommand returns the flag set of subcommand name, reporting to stderr.
func newCommand(name string, stderr io.Writer) command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return command{FlagSet: fs, configPath: fs.String("config", "", "configuration file (TOML); built-in defaults when empty")}
}

// load parses args and loads the configuration -config names.
func (c command) load(args []string) (Config, error) {
	if err := c.Parse(args); err != nil {
		return Config{}, err
	}
	return loadConfig(*c.configPath, envLookup)
}

// loadReadOnly is load for commands that call no provider: they run
// without provider keys.
func (c command) loadReadOnly(args []string) (Config, error) {
	if err := c.Parse(args); err != nil {
		return Config{}, err
	}
	return loadConfigKeys(*c.configPath, envLookup, false)
}

// runFAQ runs the "faq" subcommands.
func runFAQ(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("faq: want a subcommand: eval or unanswered")
	}
	switch args[0] {
	case "eval":
		return runFAQEval(args[1:], stdout, stderr)
	case "unanswered":
		return runFAQUnanswered(args[1:], stdout, stderr)
	}
	return fmt.Errorf("faq: unknown subcommand %q", args[0])
}
