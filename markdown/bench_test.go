package markdown

import (
	"strings"
	"testing"
)

// typicalAnswer is a model's answer of about 2 KB: a heading, paragraphs
// with emphasis, code spans and a link, a list, a table and a code block.
func typicalAnswer() string {
	var b strings.Builder
	b.WriteString("## Deploying the service\n\nTo deploy **imbot** on a fresh VM, install the binary, write `config.toml` " +
		"and enable the unit. The [README](https://example.com/imbot#install) has the details; the short version:\n\n")
	b.WriteString("1. Copy the binary to `/usr/local/bin/imbot`.\n2. Create the *state* directory.\n" +
		"3. Run `imbot check` and fix what it reports.\n4. Start it with `systemctl enable --now imbot`.\n\n")
	b.WriteString("| setting | default | note |\n|---|:-:|---|\n| `update_interval` | 1s | how often a card is updated |\n" +
		"| `show_route` | false | footer with the model |\n| `reply_in_thread` | true | threads in groups |\n\n")
	b.WriteString("```toml\n[telegram]\ntoken_file = \"/etc/imbot/telegram.token\"\nmode = \"webhook\"\n\n[feishu]\napp_id = \"cli_a1b2\"\n```\n\n")
	b.WriteString("> Keep secrets in files, never in the config itself.\n\n")
	for b.Len() < 2000 {
		b.WriteString("When something fails, the logs say which step: look for `level=ERROR` lines and the **component** " +
			"that wrote them, then compare with the ~~old~~ current settings. ")
	}
	return b.String()
}

func BenchmarkParse(b *testing.B) {
	md := typicalAnswer()
	b.SetBytes(int64(len(md)))
	b.ReportAllocs()
	for b.Loop() {
		Parse(md)
	}
}

func BenchmarkTelegram(b *testing.B) {
	md := typicalAnswer()
	b.SetBytes(int64(len(md)))
	b.ReportAllocs()
	for b.Loop() {
		_ = Parse(md).Telegram().HTML()
	}
}

func BenchmarkFeishu(b *testing.B) {
	md := typicalAnswer()
	b.SetBytes(int64(len(md)))
	b.ReportAllocs()
	for b.Loop() {
		_ = Parse(md).Feishu()
	}
}

func BenchmarkPlain(b *testing.B) {
	md := typicalAnswer()
	b.SetBytes(int64(len(md)))
	b.ReportAllocs()
	for b.Loop() {
		_ = Parse(md).Plain()
	}
}

func BenchmarkParseShort(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Parse("The answer is **short**.")
	}
}
