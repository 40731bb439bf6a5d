package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"imbot/core/faq"
	"imbot/knowledge"
	"imbot/provider/openai"
)

// evalFlags are the parsed flags of "faq eval".
type evalFlags struct {
	kb, set, tune, clinc, config string
	embedURL, embedModel         string
	target, answer, business     float64
	perIntent                    int
	explicit                     map[string]bool // flags given on the command line
}

// parseEvalFlags reads the flags of "faq eval" and checks them together.
func parseEvalFlags(args []string, stderr io.Writer) (evalFlags, error) {
	var f evalFlags
	def := faq.DefaultConfig()
	fs := flag.NewFlagSet("faq eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), faqEvalUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.kb, "kb", "", "knowledge base `file` (default: [router] faq_file of -config, else the built-in one)")
	fs.StringVar(&f.set, "set", "", "labelled test set `file` (JSON lines)")
	fs.StringVar(&f.tune, "tune", "", "labelled validation set `file` to choose the answer threshold on")
	fs.StringVar(&f.clinc, "clinc", "", "CLINC150 data_full.json `file` instead of -kb/-set/-tune")
	fs.IntVar(&f.perIntent, "per-intent", 0, "with -clinc: example questions per intent, the first ones in train (0 = all)")
	fs.StringVar(&f.config, "config", "", "config `file` to read [router] thresholds and faq_file from")
	fs.StringVar(&f.embedURL, "embed-url", "", "OpenAI-compatible base `URL` (with /v1) whose /embeddings to fuse; key from $OPENAI_API_KEY")
	fs.StringVar(&f.embedModel, "embed-model", "", "embedding `model` for -embed-url")
	fs.Float64Var(&f.target, "target-precision", 0.97, "precision to tune for (out-of-scope answers count as wrong)")
	fs.Float64Var(&f.answer, "answer-threshold", def.AnswerThreshold, "confidence at or above which the FAQ answers")
	fs.Float64Var(&f.business, "business-threshold", def.BusinessThreshold, "confidence at or above which the business chain answers")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	f.explicit = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.explicit[fl.Name] = true })
	switch {
	case fs.NArg() > 0:
		return f, fmt.Errorf("faq eval: unexpected argument %q", fs.Arg(0))
	case f.clinc != "" && (f.kb != "" || f.set != "" || f.tune != ""):
		return f, errors.New("faq eval: -clinc replaces -kb, -set and -tune")
	case f.clinc == "" && f.set == "":
		return f, errors.New("faq eval: want -set or -clinc")
	case (f.embedURL == "") != (f.embedModel == ""):
		return f, errors.New("faq eval: -embed-url and -embed-model go together")
	case f.target <= 0 || f.target > 1:
		return f, fmt.Errorf("faq eval: -target-precision %v is not in (0, 1]", f.target)
	}
	return f, nil
}

// embeddings returns the FAQ config and build options for -embed-url and
// -embed-model: a provider client used as the embedder, without a cache.
func (f evalFlags) embeddings() (faq.Config, []faq.Option, error) {
	cfg := faq.DefaultConfig()
	if f.embedURL == "" {
		return cfg, nil, nil
	}
	pc := openai.DefaultConfig()
	pc.Name, pc.BaseURL, pc.Model, pc.APIKey = "embeddings", f.embedURL, f.embedModel, os.Getenv("OPENAI_API_KEY")
	c, err := openai.NewClient(pc)
	if err != nil {
		return cfg, nil, fmt.Errorf("faq eval: %w", err)
	}
	cfg.Embeddings.Provider, cfg.Embeddings.Model = pc.Name, f.embedModel
	return cfg, []faq.Option{faq.WithEmbedder(c, nil)}, nil
}

// routerConfig returns the knowledge base settings of -config, loaded and
// validated like the daemon's, or the defaults without -config.
func (f evalFlags) routerConfig() (faq.Config, error) {
	if f.config == "" {
		return faq.DefaultConfig(), nil
	}
	cfg, err := loadConfigKeys(f.config, envLookup, false)
	if err != nil {
		return faq.Config{}, fmt.Errorf("faq eval: %w", err)
	}
	return cfg.Router.Config, nil
}

// thresholds resolves the thresholds: flags given, then -config, then the
// defaults (the flags' default values).
func (f evalFlags) thresholds() (faq.Thresholds, error) {
	th := faq.Thresholds{Answer: f.answer, Business: f.business}
	if f.config != "" {
		rc, err := f.routerConfig()
		if err != nil {
			return th, err
		}
		if !f.explicit["answer-threshold"] {
			th.Answer = rc.AnswerThreshold
		}
		if !f.explicit["business-threshold"] {
			th.Business = rc.BusinessThreshold
		}
	}
	cfg := faq.DefaultConfig()
	cfg.AnswerThreshold, cfg.BusinessThreshold = th.Answer, th.Business
	if ps := cfg.Validate(); len(ps) > 0 {
		return th, fmt.Errorf("faq eval: thresholds: %s", ps[0])
	}
	return th, nil
}

// load returns the knowledge base, the test set and the validation set (nil
// when thresholds are not tuned).
func (f evalFlags) load() (faq.KB, []faq.Sample, []faq.Sample, error) {
	if f.clinc != "" {
		return f.loadCLINC()
	}
	kb, err := f.loadKB()
	if err != nil {
		return kb, nil, nil, err
	}
	test, err := readSet(f.set)
	if err != nil || f.tune == "" {
		return kb, test, nil, err
	}
	val, err := readSet(f.tune)
	return kb, test, val, err
}

func (f evalFlags) loadKB() (faq.KB, error) {
	path := f.kb
	if path == "" {
		rc, err := f.routerConfig()
		if err != nil {
			return faq.KB{}, err
		}
		path = rc.FAQFile
	}
	return knowledge.Read(path)
}

func (f evalFlags) loadCLINC() (faq.KB, []faq.Sample, []faq.Sample, error) {
	r, err := os.Open(f.clinc)
	if err != nil {
		return faq.KB{}, nil, nil, fmt.Errorf("faq eval: %w", err)
	}
	defer r.Close()
	c, err := faq.ReadCLINC(r)
	if err != nil {
		return faq.KB{}, nil, nil, err
	}
	test := faq.Samples(c.Test, c.OOSTest)
	if f.explicit["answer-threshold"] || f.config != "" {
		return c.KB(f.perIntent), test, nil, nil
	}
	return c.KB(f.perIntent), test, faq.Samples(c.Val, c.OOSVal), nil
}

func readSet(path string) ([]faq.Sample, error) {
	r, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("faq eval: %w", err)
	}
	defer r.Close()
	set, err := faq.ReadSet(r)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return set, nil
}
