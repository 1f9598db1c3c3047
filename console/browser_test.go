package console

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/datashare/datashare/api"
	"github.com/datashare/datashare/internal/browsertest"
)

// The console's end-to-end tests in headless Chromium: what a clerk does with a mouse or a
// keyboard, against the console over the real API router, SQLite, an embedded Temporal server
// and the worker (the stack of console_temporal_test.go) on a real HTTP listener. They skip
// without Chromium and fail without it under CI=true (browsertest.New decides).

// tab is a fresh browser context (its own cookies) in the browser of ctx: a second user
// signed in beside the first, as on two machines.
func tab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	c, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(c); err != nil {
		cancel()
		t.Fatalf("new browser context: %v", err)
	}
	t.Cleanup(cancel)
	return c
}

// js quotes s as a JavaScript string literal (JSON's syntax is JavaScript's).
func js(s string) string { return strconv.Quote(s) }

// bodyText is what the page shows, as the user reads it.
func bodyText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return browsertest.Get(t, ctx, "read the page", chromedp.Evaluate[string](`document.body.innerText`))
}

// waitFor polls a JavaScript condition in the page until it holds: the next page has loaded.
// An evaluation that fails while the browser navigates is tried again.
func waitFor(t *testing.T, ctx context.Context, step, cond string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](`!!(`+cond+`)`))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
	t.Fatalf("%s: never (%s), last error %v; the page:\n%s", step, cond, last, text)
}

// responseStatus is the HTTP status of the page the browser shows.
func responseStatus(t *testing.T, ctx context.Context) int {
	t.Helper()
	return browsertest.Get(t, ctx, "response status",
		chromedp.Evaluate[int](`performance.getEntriesByType("navigation")[0].responseStatus`))
}

// signInByClick signs in on the dev sign-in page by clicking the user's button.
func signInByClick(t *testing.T, ctx context.Context, base, user string) {
	t.Helper()
	browsertest.Do(t, ctx, "sign in as "+user, chromedp.Navigate(base+"/console/login"),
		chromedp.Click(chromedp.CSS(`button[name="user"][value=`+js(user)+`]`)))
	waitFor(t, ctx, "signed in as "+user, `location.pathname !== "/console/login" && !!document.querySelector('form[action="/console/logout"]')`)
}

// signInByKeyboard signs in with Tab and Enter only: Tab until the user's button has the
// focus, then Enter.
func signInByKeyboard(t *testing.T, ctx context.Context, base, user string) {
	t.Helper()
	browsertest.Do(t, ctx, "open the sign-in page", chromedp.Navigate(base+"/console/login"))
	tabTo(t, ctx, `document.activeElement && document.activeElement.name === "user" && document.activeElement.value === `+js(user))
	browsertest.Do(t, ctx, "press Enter", chromedp.KeyEvent("\r"))
	waitFor(t, ctx, "signed in as "+user, `location.pathname !== "/console/login" && !!document.querySelector('form[action="/console/logout"]')`)
}

// maxTabs bounds a walk through a page's focusable elements.
const maxTabs = 150

// tabTo presses Tab until the focused element satisfies cond (a JavaScript expression).
func tabTo(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	for range maxTabs {
		browsertest.Do(t, ctx, "press Tab", chromedp.KeyEvent("\t"))
		if browsertest.Get(t, ctx, "focused element", chromedp.Evaluate[bool](`!!(`+cond+`)`)) {
			return
		}
	}
	t.Fatalf("%d Tabs never reached the element (%s)", maxTabs, cond)
}

// rowOf is the text of the table row that names id, or "" when none does.
func rowOf(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	return browsertest.Get(t, ctx, "row of "+id, chromedp.Evaluate[string](
		`(() => { const r = [...document.querySelectorAll("tbody tr")].find(r => r.innerText.includes(`+js(id)+`)); return r ? r.innerText : ""; })()`))
}

// untilShown reloads path until the page shows want, as the API's projections follow the
// workflows asynchronously.
func untilShown(t *testing.T, s *stack, ctx context.Context, path, want string) string {
	t.Helper()
	var text string
	s.eventually(path+" shows "+want, func() bool {
		browsertest.Do(t, ctx, "open "+path, chromedp.Navigate(s.srv.URL+path))
		text = bodyText(t, ctx)
		return strings.Contains(text, want)
	})
	return text
}

// apiTask is the API's view of a task, with the raw JSON for the facts the console shows
// only when the API gives them.
func apiTask(s *stack, user, id string) (api.TaskView, map[string]any) {
	var v api.TaskView
	var raw map[string]any
	path := "/api/v1/tasks/" + url.PathEscape(id)
	s.apiCall("GET", path, s.token(user), nil, &v)
	s.apiCall("GET", path, s.token(user), nil, &raw)
	return v, raw
}

// TestConsoleInBrowser is the share procedure in a real browser (ningxia, where the
// provider's approver answers): the applicant fills and submits the new-request form; the
// approver, signed in with the keyboard in a context of its own, finds the task in 待办 with
// its deadline, is refused a post without the CSRF token (the task unchanged), claims it and
// approves it through the generated form with Tab and Enter; the applicant's request page
// shows the grant. A catalog update ordered two months late shows in red as overdue.
func TestConsoleInBrowser(t *testing.T) {
	s := newStack(t, "ningxia", true)
	base := s.srv.URL
	applicant := browsertest.New(t, browsertest.DesktopWidth, browsertest.DesktopHeight)
	rid := s.resourceID("NX-SCJG-0002")

	// The applicant asks through the form, by its labels' fields.
	signInByClick(t, applicant, base, "demo-applicant")
	browsertest.Do(t, applicant, "open the new-request form",
		chromedp.Navigate(fmt.Sprintf("%s/console/share-requests/new?resource_id=%d", base, rid)))
	if text := bodyText(t, applicant); !strings.Contains(text, "NX-SCJG-0002") {
		t.Fatalf("new-request form:\n%s", text)
	}
	browsertest.Do(t, applicant, "fill the request",
		chromedp.SendKeys(chromedp.CSS(`#n-purpose`), "社会保险待遇资格认证"),
		chromedp.SendKeys(chromedp.CSS(`#n-scope`), "法定代表人姓名、身份证件号码"),
		// The validity field comes filled with a default: the applicant replaces it.
		chromedp.SetValue(chromedp.CSS(`#n-requested_validity_days`), ""),
		chromedp.SendKeys(chromedp.CSS(`#n-requested_validity_days`), "180"))
	// The session ends while the form is being filled: the submission goes to the sign-in,
	// and signing in again brings the form back as typed.
	s.setClock(time.Now().Add(devSessionTTL + time.Minute))
	browsertest.Do(t, applicant, "submit after the session ended",
		chromedp.Click(chromedp.CSS(`form.wide button[type="submit"]`)))
	waitFor(t, applicant, "the sign-in page", `location.pathname === "/console/login"`)
	browsertest.Do(t, applicant, "sign in again",
		chromedp.Click(chromedp.CSS(`button[name="user"][value="demo-applicant"]`)))
	waitFor(t, applicant, "the form given back as typed", `location.pathname === "/console/share-requests/new" && `+
		`document.querySelector("#draft-notice") && document.querySelector("#n-purpose").value === "社会保险待遇资格认证" && `+
		`document.querySelector("#n-scope").value === "法定代表人姓名、身份证件号码" && `+
		`document.querySelector("#n-requested_validity_days").value === "180"`)
	s.setClock(time.Time{})
	browsertest.Do(t, applicant, "submit the request",
		chromedp.Click(chromedp.CSS(`form.wide button[type="submit"]`)))
	waitFor(t, applicant, "the request's page", `location.pathname.startsWith("/console/requests/share/")`)
	loc := browsertest.Get(t, applicant, "location", chromedp.Location())
	u, _ := url.Parse(loc)
	reqID := strings.TrimPrefix(u.Path, "/console/requests/share/")
	if text := bodyText(t, applicant); !strings.Contains(text, "社会保险待遇资格认证") {
		t.Fatalf("the request's page lacks its purpose:\n%s", text)
	}

	// The approver, in a browser context of its own, signs in with the keyboard.
	approver := tab(t, applicant)
	signInByKeyboard(t, approver, base, "demo-approver")
	row := ""
	s.eventually("the task in the approver's 待办", func() bool {
		browsertest.Do(t, approver, "open 待办", chromedp.Navigate(base+"/console/"))
		row = rowOf(t, approver, reqID)
		return row != ""
	})
	var task api.TaskView
	var inbox api.TaskList
	s.apiCall("GET", "/api/v1/tasks?procedure=share", s.token("demo-approver"), nil, &inbox)
	for _, it := range inbox.Items {
		if it.RequestID == reqID {
			task = it
		}
	}
	if task.ID == "" || task.DueAt == nil {
		t.Fatalf("the API has no open task with a deadline for %s: %+v", reqID, inbox.Items)
	}

	t.Run("the inbox row shows the step and the deadline", func(t *testing.T) {
		if !strings.Contains(row, "提供部门答复") {
			t.Errorf("row lacks its step:\n%s", row)
		}
		// The countdown when the API gives remaining_workdays; the due date always.
		_, raw := apiTask(s, "demo-approver", task.ID)
		if n, ok := raw["remaining_workdays"].(float64); ok {
			if want := fmt.Sprintf("剩余 %d 个工作日", int(n)); !strings.Contains(row, want) {
				t.Errorf("row lacks %q:\n%s", want, row)
			}
		} else if regexp.MustCompile(`剩余 \d+ 个工作日`).MatchString(row) {
			t.Errorf("a countdown the API did not give:\n%s", row)
		}
		if due := (*task.DueAt)[:10]; !strings.Contains(row, due) {
			t.Errorf("row lacks the due date %s:\n%s", due, row)
		}
		if strings.Contains(row, "逾期") {
			t.Errorf("a fresh task shows overdue:\n%s", row)
		}
	})

	// The approver opens the task from its row.
	taskPath := "/console/tasks/" + url.PathEscape(task.ID)
	browsertest.Do(t, approver, "open the task from its row", chromedp.Evaluate[chromedp.Void](
		`[...document.querySelectorAll("tbody tr")].find(r => r.innerText.includes(`+js(reqID)+`)).querySelector('a[href^="/console/tasks/"]').click()`))
	waitFor(t, approver, "the task page", `location.pathname === `+js(taskPath)+` && !!document.querySelector("#d-approve-scope")`)

	t.Run("a post without the CSRF token is refused", func(t *testing.T) {
		browsertest.Do(t, approver, "fill the approval and remove its token",
			chromedp.SendKeys(chromedp.CSS(`#d-approve-scope`), "法定代表人姓名"),
			chromedp.SendKeys(chromedp.CSS(`#d-approve-usage_purpose`), "社会保险待遇资格认证"),
			chromedp.SendKeys(chromedp.CSS(`#d-approve-validity_days`), "30"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector("#d-approve-scope").form.querySelector('input[name="csrf"]').remove()`),
			chromedp.Click(chromedp.CSS(`#h-d-approve ~ button[type="submit"]`)))
		waitFor(t, approver, "the refusal", `document.querySelector("h1") && document.querySelector("h1").innerText === "无权操作"`)
		if st := responseStatus(t, approver); st != 403 {
			t.Errorf("status %d, want 403", st)
		}
		if text := bodyText(t, approver); !strings.Contains(text, "CSRF 校验未通过") {
			t.Errorf("refusal page:\n%s", text)
		}
		if now, _ := apiTask(s, "demo-approver", task.ID); now.Status != "open" || now.Assignee != "" || now.Decision != "" {
			t.Fatalf("the refused post changed the task: %+v", now)
		}
		browsertest.Do(t, approver, "back to the task", chromedp.Navigate(base+taskPath))
		if text := bodyText(t, approver); !strings.Contains(text, "未签收") || strings.Contains(text, "已办结") {
			t.Errorf("the task page after the refusal:\n%s", text)
		}
	})

	t.Run("claim and approve with the keyboard", func(t *testing.T) {
		browsertest.Do(t, approver, "open the task", chromedp.Navigate(base+taskPath))
		tabTo(t, approver, `document.activeElement.form && document.activeElement.form.action.endsWith("/claim") && document.activeElement.type === "submit"`)
		browsertest.Do(t, approver, "press Enter on 签收", chromedp.KeyEvent("\r"))
		waitFor(t, approver, "claimed", `!!document.querySelector('[role="status"]') && location.search.includes("done=claimed")`)
		if st := browsertest.Get(t, approver, "confirmation", chromedp.Text(chromedp.CSS(`[role="status"]`))); st == "" {
			t.Error("no confirmation after the claim")
		}

		// Tab through the page; type into the approval's fields as they get the focus, then
		// Enter on its button.
		values := map[string]string{"d-approve-scope": "法定代表人姓名", "d-approve-usage_purpose": "社会保险待遇资格认证",
			"d-approve-validity_days": "180", "d-approve-conditions": "仅限本单位使用"}
		typed := map[string]bool{}
		submitted := false
		for range maxTabs {
			browsertest.Do(t, approver, "press Tab", chromedp.KeyEvent("\t"))
			id := browsertest.Get(t, approver, "focused element", chromedp.Evaluate[string](
				`(() => { const e = document.activeElement; if (!e) return ""; if (e.type === "submit" && e.form && e.form.querySelector('input[name="decision"][value="approve"]')) return "submit-approve"; return e.id || ""; })()`))
			if v, ok := values[id]; ok && !typed[id] {
				browsertest.Do(t, approver, "type into "+id, chromedp.KeyEvent(v))
				typed[id] = true
			}
			if id == "submit-approve" {
				browsertest.Do(t, approver, "press Enter on 提交：同意", chromedp.KeyEvent("\r"))
				submitted = true
				break
			}
		}
		if !submitted || len(typed) != len(values) {
			t.Fatalf("the approval form was not reached by Tab (typed %v)", typed)
		}
		waitFor(t, approver, "the decision taken", `!!document.querySelector('[role="status"]') && !document.querySelector("#d-approve-scope")`)
		text := bodyText(t, approver)
		if !strings.Contains(text, "决定已提交") || !strings.Contains(text, "已办结") {
			t.Errorf("after the decision:\n%s", text)
		}
		if now, _ := apiTask(s, "demo-approver", task.ID); now.Decision != "approve" {
			t.Errorf("the task after the decision: %+v", now)
		}
	})

	t.Run("the applicant's page shows the grant", func(t *testing.T) {
		text := untilShown(t, s, applicant, "/console/requests/share/"+reqID, "已授权")
		for _, want := range []string{"共享授权", "仅限本单位使用", "法定代表人姓名"} {
			if !strings.Contains(text, want) {
				t.Errorf("request page lacks %q:\n%s", want, text)
			}
		}
		if badge := browsertest.Get(t, applicant, "unread badge", chromedp.Text(chromedp.CSS(`#unread-count`))); badge == "" || badge == "0" {
			t.Errorf("unread count %q after the grant's notice", badge)
		}
	})

	t.Run("an overdue task shows red", func(t *testing.T) {
		changed := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, -2, 0).Format(time.DateOnly)
		var cu struct {
			ID string `json:"id"`
		}
		if code := s.apiCall("POST", "/api/v1/catalog-updates", s.token("demo-authority"), map[string]any{
			"trigger": "duties_changed", "basis": "机构职能调整", "changed_on": changed, "resource_ids": []int64{},
			"department_id": "nx-scjg"}, &cu); code != 201 {
			t.Fatalf("order a catalog update: %d", code)
		}
		row := ""
		s.eventually("the overdue update in 待办", func() bool {
			browsertest.Do(t, approver, "open 待办", chromedp.Navigate(base+"/console/?procedure=catalog_update"))
			row = rowOf(t, approver, cu.ID)
			return strings.Contains(row, "逾期")
		})
		if !strings.Contains(row, "已逾期") && !strings.Contains(row, "严重逾期") {
			t.Errorf("row lacks the overdue badge:\n%s", row)
		}
		// The badge is red: the colour of the console's red, not only a word.
		color := browsertest.Get(t, approver, "badge colour", chromedp.Evaluate[string](
			`(() => { const r = [...document.querySelectorAll("tbody tr")].find(r => r.innerText.includes(`+js(cu.ID)+`)); const b = r && [...r.querySelectorAll(".badge")].find(b => b.innerText.includes("逾期")); return b ? getComputedStyle(b).color : ""; })()`))
		if color != "rgb(179, 38, 30)" {
			t.Errorf("overdue badge colour %q, want the console's red rgb(179, 38, 30)", color)
		}
	})
}

// TestConsoleScreenshots walks the pages shown in docs/console.md (neixiang): a citizen asks
// for open data through the console and reads its request's page; the department's clerk has
// the request in 待办 and opens the task. Each page is
// checked at the desktop and the phone width. With
// DATASHARE_SCREENSHOTS=<dir> the pages are also saved there as PNGs
// (inbox|task|citizen-request)-(desktop|phone).png.
func TestConsoleScreenshots(t *testing.T) {
	s := newStack(t, "neixiang", true)
	base := s.srv.URL
	dir := os.Getenv("DATASHARE_SCREENSHOTS")
	citizen := browsertest.New(t, browsertest.DesktopWidth, browsertest.DesktopHeight)

	rid := s.resourceID("NEIXIANG-SCJG-0004")
	signInByClick(t, citizen, base, "demo-citizen")
	browsertest.Do(t, citizen, "fill and submit the open-data request",
		chromedp.Navigate(fmt.Sprintf("%s/console/open-data/new?resource_id=%d", base, rid)),
		chromedp.SendKeys(chromedp.CSS(`#n-purpose`), "企业信用研究"),
		chromedp.SendKeys(chromedp.CSS(`#n-scope`), "2025年度年报"),
		chromedp.Click(chromedp.CSS(`form.wide button[type="submit"]`)))
	waitFor(t, citizen, "the request's page", `location.pathname.startsWith("/console/requests/open_data/")`)
	loc := browsertest.Get(t, citizen, "location", chromedp.Location())
	u, _ := url.Parse(loc)
	reqPath := u.Path
	reqID := strings.TrimPrefix(reqPath, "/console/requests/open_data/")

	// Whoever's inbox the request reached is the clerk of the screenshots.
	var task api.TaskView
	clerk := ""
	s.eventually("the open-data task in a clerk's inbox", func() bool {
		for _, user := range []string{"demo-approver", "demo-dept-head", "demo-authority", "demo-rst-approver"} {
			var inbox api.TaskList
			s.apiCall("GET", "/api/v1/tasks?procedure=open_data", s.token(user), nil, &inbox)
			for _, it := range inbox.Items {
				if it.RequestID == reqID {
					task, clerk = it, user
					return true
				}
			}
		}
		return false
	})
	staff := tab(t, citizen)
	signInByClick(t, staff, base, clerk)
	untilShown(t, s, staff, "/console/", reqID)
	// The data authority supervises: its board counts the open request in the producer's row.
	authority := tab(t, citizen)
	signInByClick(t, authority, base, "demo-authority")

	pages := []struct {
		name string
		ctx  context.Context
		path string
		want []string
	}{
		{"inbox", staff, "/console/", []string{reqID, "开放"}},
		{"task", staff, "/console/tasks/" + url.PathEscape(task.ID), []string{reqID, "企业信用研究", "作出决定"}},
		{"citizen-request", citizen, reqPath, []string{reqID, "企业信用研究", "第四十六条"}},
		{"board", authority, "/console/board", []string{"督办看板", "当前在办", "超期率"}},
	}
	sizes := []struct {
		name string
		w, h int64
	}{{"desktop", browsertest.DesktopWidth, browsertest.DesktopHeight}, {"phone", browsertest.NarrowWidth, browsertest.NarrowHeight}}
	for _, size := range sizes {
		for _, p := range pages {
			browsertest.Do(t, p.ctx, "open "+p.name+" at "+size.name,
				chromedp.EmulateViewport(size.w, size.h), chromedp.Navigate(base+p.path))
			text := bodyText(t, p.ctx)
			for _, want := range p.want {
				if !strings.Contains(text, want) {
					t.Errorf("%s (%s) lacks %q:\n%s", p.name, size.name, want, text)
				}
			}
			// Known: the inbox's table is wider than a phone; logged, not failed, until the
			// stylesheet keeps it inside its scrolling wrapper.
			if w := browsertest.Get(t, p.ctx, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > int(size.w) {
				t.Errorf("%s (%s) is %dpx wide: it scrolls sideways on a %dpx screen", p.name, size.name, w, size.w)
			}
			if dir != "" {
				browsertest.Screenshot(t, p.ctx, filepath.Join(dir, p.name+"-"+size.name+".png"))
			}
		}
	}
}

// TestCorrectionInBrowser: the applicant reports problem data in a real browser (ningxia),
// from the catalog entry's 报告数据问题 link through the form's labelled fields, lands on the
// case's page, and finds the case in its corrections list, which fits a phone's width.
func TestCorrectionInBrowser(t *testing.T) {
	s := newStack(t, "ningxia", true)
	base := s.srv.URL
	applicant := browsertest.New(t, browsertest.DesktopWidth, browsertest.DesktopHeight)
	signInByClick(t, applicant, base, "demo-applicant")
	browsertest.Do(t, applicant, "follow the catalog's report link",
		chromedp.Navigate(base+"/console/catalog?q=NX-SCJG-0001"),
		chromedp.Click(chromedp.CSS(`a[href^="/console/corrections/new?resource_id="]`)))
	waitFor(t, applicant, "the correction form", `location.pathname === "/console/corrections/new" && !!document.querySelector("#n-description")`)
	if text := bodyText(t, applicant); !strings.Contains(text, "NX-SCJG-0001") || !strings.Contains(text, "问题描述") {
		t.Fatalf("correction form:\n%s", text)
	}
	browsertest.Do(t, applicant, "fill and submit the report",
		chromedp.SendKeys(chromedp.CSS(`#n-fields`), "注册资本"),
		chromedp.SendKeys(chromedp.CSS(`#n-description`), "注册资本与营业执照记载不一致"),
		chromedp.SendKeys(chromedp.CSS(`#n-evidence`), "营业执照副本"),
		chromedp.Click(chromedp.CSS(`form.wide button[type="submit"]`)))
	waitFor(t, applicant, "the correction's page", `location.pathname.startsWith("/console/requests/correction/")`)
	loc := browsertest.Get(t, applicant, "location", chromedp.Location())
	u, _ := url.Parse(loc)
	id := strings.TrimPrefix(u.Path, "/console/requests/correction/")
	if text := bodyText(t, applicant); !strings.Contains(text, "问题数据已报告。") || !strings.Contains(text, "注册资本与营业执照记载不一致") {
		t.Fatalf("the correction's page:\n%s", text)
	}
	browsertest.Do(t, applicant, "open the list at a phone's width",
		chromedp.EmulateViewport(browsertest.NarrowWidth, browsertest.NarrowHeight), chromedp.Navigate(base+"/console/corrections"))
	if row := rowOf(t, applicant, id); !strings.Contains(row, "NX-SCJG-0001") {
		t.Errorf("the list's row of %s: %q", id, row)
	}
	if w := browsertest.Get(t, applicant, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > browsertest.NarrowWidth {
		t.Errorf("the corrections list is %dpx wide on a %dpx screen", w, browsertest.NarrowWidth)
	}
}
