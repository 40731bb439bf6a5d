package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// documentedMetrics returns the metric names listed in the tables of
// docs/metrics.md (a row's first cell, in backquotes), with their types.
func documentedMetrics(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| `([a-z_:][a-z0-9_:]*)` \\| (counter|gauge|histogram|summary) \\|")
	names := make(map[string]string)
	for _, line := range strings.Split(string(b), "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			names[m[1]] = m[2]
		}
	}
	if len(names) < 30 {
		t.Fatalf("docs/metrics.md lists %d metrics; the table format changed?", len(names))
	}
	return names
}

var (
	// What in a PromQL expression is not a metric name: strings, label
	// matchers, ranges and offsets, grouping clauses, numbers.
	promStrings  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)
	promMatchers = regexp.MustCompile(`\{[^{}]*\}`)
	promRanges   = regexp.MustCompile(`\[[^\[\]]*\]`)
	promGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)`)
	promOffset   = regexp.MustCompile(`\boffset\s+-?[0-9a-z]+`)
	promNumber   = regexp.MustCompile(`\b[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\b`)
	promIdent    = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?`)
	promKeywords = map[string]bool{
		"and": true, "or": true, "unless": true, "bool": true, "offset": true,
		"group_left": true, "group_right": true, "inf": true, "nan": true,
	}
)

// metricNames returns the metric names an expression selects.
func metricNames(expr string) []string {
	e := promStrings.ReplaceAllString(expr, `""`)
	e = promMatchers.ReplaceAllString(e, " ")
	e = promRanges.ReplaceAllString(e, " ")
	e = promGrouping.ReplaceAllString(e, " ")
	e = promOffset.ReplaceAllString(e, " ")
	e = promNumber.ReplaceAllString(e, " ")
	var names []string
	for _, m := range promIdent.FindAllStringSubmatch(e, -1) {
		id := strings.TrimRight(strings.TrimSuffix(strings.TrimSpace(m[0]), "("), " ")
		if m[1] != "" || promKeywords[strings.ToLower(id)] {
			continue // a function call or an operator
		}
		names = append(names, id)
	}
	return names
}

// checkDocumented reports names in expr that docs/metrics.md does not list.
// A histogram's _bucket, _sum and _count series count as the histogram.
func checkDocumented(t *testing.T, where, expr string, documented map[string]string) {
	t.Helper()
	names := metricNames(expr)
	if len(names) == 0 {
		t.Errorf("%s: expression selects no metric: %q", where, expr)
	}
	for _, n := range names {
		if _, ok := documented[n]; ok {
			continue
		}
		base := n
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			base = strings.TrimSuffix(base, suffix)
		}
		if typ := documented[base]; base != n && (typ == "histogram" || typ == "summary") {
			continue
		}
		t.Errorf("%s: %s is not documented in docs/metrics.md (expr %q)", where, n, expr)
	}
}

func TestMetricNames(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`up{job="imbot"} == 0`, []string{"up"}},
		{`sum by (le, route) (rate(imbot_turn_seconds_bucket{route!="command",instance=~"$instance"}[$__rate_interval]))`, []string{"imbot_turn_seconds_bucket"}},
		{`a / b > 0.9 * 256 * 1024 and on() (c or vector(0)) unless d offset 5m > 1e3`, []string{"a", "b", "c", "d"}},
		{"histogram_quantile(0.99, x{op=\"accept\"})\n  > 0.25", []string{"x"}},
	}
	for _, tt := range tests {
		got := metricNames(tt.expr)
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("metricNames(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

// dashboard is the part of a Grafana dashboard the test reads.
type dashboard struct {
	Title  string  `json:"title"`
	UID    string  `json:"uid"`
	Panels []panel `json:"panels"`
}

type panel struct {
	ID      int    `json:"id"`
	Type    string `json:"type"`
	Title   string `json:"title"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // a collapsed row's panels
}

func TestGrafanaDashboard(t *testing.T) {
	documented := documentedMetrics(t)
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "grafana", "imbot.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("docs/grafana/imbot.json: %v", err)
	}
	if d.Title == "" || d.UID == "" {
		t.Errorf("dashboard title %q, uid %q: both are required", d.Title, d.UID)
	}
	var all []panel
	for _, p := range d.Panels {
		all = append(all, p)
		all = append(all, p.Panels...)
	}
	ids := make(map[int]bool)
	seen := make(map[string]bool)
	for _, p := range all {
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			if strings.TrimSpace(tg.Expr) == "" {
				t.Errorf("panel %q, query %s: empty expr", p.Title, tg.RefID)
				continue
			}
			checkDocumented(t, "panel "+p.Title, tg.Expr, documented)
			for _, n := range metricNames(tg.Expr) {
				seen[n] = true
			}
		}
	}
	// What the dashboard promises to show.
	for _, want := range []string{
		"imbot_messages_total", "imbot_turn_seconds_bucket", "imbot_provider_tokens_total",
		"imbot_provider_breaker_state", "imbot_queued_turns", "imbot_turns_total",
		"process_resident_memory_bytes",
	} {
		if !seen[want] {
			t.Errorf("no panel queries %s", want)
		}
	}
}

// ruleFile is a Prometheus rule file.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []rule `yaml:"rules"`
	} `yaml:"groups"`
}

type rule struct {
	Alert       string            `yaml:"alert"`
	Record      string            `yaml:"record"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

func TestPrometheusAlerts(t *testing.T) {
	documented := documentedMetrics(t)
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "prometheus", "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var f ruleFile
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("docs/prometheus/alerts.yml: %v", err)
	}
	if len(f.Groups) == 0 {
		t.Fatal("no rule groups")
	}
	duration := regexp.MustCompile(`^([0-9]+(ms|s|m|h|d|w|y))+$`)
	alerts := make(map[string]bool)
	for _, g := range f.Groups {
		if g.Name == "" {
			t.Error("a rule group without a name")
		}
		for i, r := range g.Rules {
			where := r.Alert
			if where == "" {
				where = g.Name + " rule " + string(rune('0'+i))
				t.Errorf("%s: no alert name (recording rules belong elsewhere)", where)
			}
			if alerts[r.Alert] {
				t.Errorf("alert %s defined twice", r.Alert)
			}
			alerts[r.Alert] = true
			if strings.TrimSpace(r.Expr) == "" {
				t.Errorf("%s: no expr", where)
			} else {
				checkDocumented(t, "alert "+where, r.Expr, documented)
			}
			if !duration.MatchString(r.For) {
				t.Errorf("%s: for = %q, want a duration such as 5m", where, r.For)
			}
			switch r.Labels["severity"] {
			case "critical", "warning", "info":
			default:
				t.Errorf("%s: labels.severity = %q, want critical, warning or info", where, r.Labels["severity"])
			}
			if strings.TrimSpace(r.Annotations["summary"]) == "" {
				t.Errorf("%s: no annotations.summary", where)
			}
		}
	}
	// The conditions operators asked to be woken for.
	for _, want := range []string{
		"ImbotNoModelReachable", "ImbotBreakerOpen", "ImbotDegradedShareHigh", "ImbotQueueNearLimit",
		"ImbotAdapterDisconnected", "ImbotStoreWriteErrors", "ImbotMemoryNearLimit",
	} {
		if !alerts[want] {
			t.Errorf("alerts.yml has no %s", want)
		}
	}
	// Every alert is listed in docs/metrics.md.
	doc, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for a := range alerts {
		if !strings.Contains(string(doc), "`"+a+"`") {
			missing = append(missing, a)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("docs/metrics.md does not describe alerts %v", missing)
	}
}
