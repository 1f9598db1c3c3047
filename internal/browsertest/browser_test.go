package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserRendersAndPosts: the harness's browser loads a page, runs its script, fills a
// labelled field and submits the form — what the console tests rely on.
func TestBrowserRendersAndPosts(t *testing.T) {
	var posted string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.Method == http.MethodPost {
			posted = r.FormValue("reason")
			fmt.Fprintf(w, `<p id="done">收到：%s</p>`, posted)
			return
		}
		fmt.Fprint(w, `<!doctype html><title>待办</title><form method="post"><label for="reason">理由</label>`+
			`<input id="reason" name="reason"><button id="go">提交</button></form>`+
			`<script>document.title = "待办（脚本）"</script>`)
	}))
	defer srv.Close()

	ctx := New(t, DesktopWidth, DesktopHeight)
	Do(t, ctx, "open the page", chromedp.Navigate(srv.URL))
	title := Get(t, ctx, "title", chromedp.Title())
	Do(t, ctx, "fill and submit", chromedp.SendKeys(`#reason`, "数据不全"), chromedp.Click(`#go`))
	done := Get(t, ctx, "answer", chromedp.Text(`#done`))
	if title != "待办（脚本）" {
		t.Errorf("title %q: the page's script did not run", title)
	}
	if posted != "数据不全" || !strings.Contains(done, "数据不全") {
		t.Errorf("posted %q, page says %q", posted, done)
	}
}
