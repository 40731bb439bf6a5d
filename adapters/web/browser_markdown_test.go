package web

import "testing"

// TestBrowserMarkdown renders Markdown with the page's own renderer in
// Chromium and compares the DOM it builds.
func TestBrowserMarkdown(t *testing.T) {
	b := openChat(t, "en-US", 800, 600)
	link := func(href, text string) string {
		return `<a href="` + href + `" target="_blank" rel="noopener noreferrer">` + text + `</a>`
	}
	for _, tc := range []struct{ name, src, want string }{
		{"heading", "# Title", `<h3 class="md-h">Title</h3>`},
		{"inline", "a *b* **c** ~~d~~ `e`", `<p>a <em>b</em> <strong>c</strong> <del>d</del> <code>e</code></p>`},
		{"nested list", "- a\n- b\n  - c", `<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>`},
		{"ordered from 3", "3. x\n4. y", `<ol start="3"><li>x</li><li>y</li></ol>`},
		{"quote", "> quoted", `<blockquote><p>quoted</p></blockquote>`},
		{"no emphasis inside words", "snake_case_name", `<p>snake_case_name</p>`},
		{"escapes", `\*not em\*`, `<p>*not em*</p>`},
		{"table", "| a | b |\n|:-|-:|\n| 1 | 2 |", `<div class="table"><table><thead><tr><th>a</th><th style="text-align: right;">b</th></tr></thead>` +
			`<tbody><tr><td>1</td><td style="text-align: right;">2</td></tr></tbody></table></div>`},
		{"code", "```\ncode <b>\n```", `<div class="code"><div class="code-head"><span class="code-lang">text</span></div><pre><code>code &lt;b&gt;</code></pre></div>`},
		{"raw html is text", "<b>x</b>", `<p>&lt;b&gt;x&lt;/b&gt;</p>`},
		{"links", "[x](http://a.b) and https://c.d.", `<p>` + link("http://a.b", "x") + ` and ` + link("https://c.d", "https://c.d") + `.</p>`},
		{"unsafe link", "[x](javascript:alert(1))", `<p>[x](javascript:alert(1))</p>`},
		{"hard break", "one\ntwo", `<p>one<br>two</p>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := eval[string](t, b, `(() => { const d = document.createElement('div'); d.append(imbotMarkdown(`+jsString(tc.src)+`)); return d.innerHTML; })()`)
			if got != tc.want {
				t.Errorf("render %q:\n got %s\nwant %s", tc.src, got, tc.want)
			}
		})
	}
}
