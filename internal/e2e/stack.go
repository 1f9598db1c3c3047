// Package e2e drives a running datashare deployment over its HTTP API, the way its users do,
// and checks each case where operators look for it: Temporal visibility, by the custom search
// attributes, and the read model. The same driver runs against the embedded system (`datashare
// dev`, see dev_test.go) and against the production topology (two APIs, two workers, the
// official Temporal server, MySQL): Procedures takes one case of every procedure of the neixiang
// profile to an end. The package never links the Temporal server; only its embedded-tagged test
// starts one, in a subprocess.
package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"gorm.io/gorm"
)

// Stack is a running datashare deployment.
type Stack struct {
	// API1 and API2 are base URLs of two API processes, e.g. http://127.0.0.1:18081 (they may
	// be equal). A share request is created through API1 and decided through API2; the other
	// procedures alternate between them too.
	API1, API2 string
	// Tokens are bearer tokens by demo user id (UserApplicant, …).
	Tokens map[string]string
	// Temporal is a client connected to the namespace the workers run in.
	Temporal client.Client
	// DB is the read model: MySQL in production, SQLite in the embedded mode.
	DB *gorm.DB
}

// Jurisdiction is the profile Procedures runs under: neixiang (内乡) is the only one that has
// all eight procedures.
const Jurisdiction = "neixiang"

// The demo users (models.DemoUsersFor), by id: the keys of Stack.Tokens.
const (
	UserApplicant   = "demo-applicant"    // applicant of the using department (人社)
	UserRSTApprover = "demo-rst-approver" // approver of the using department
	UserApprover    = "demo-approver"     // approver of the providing department (市场监管)
	UserDeptHead    = "demo-dept-head"    // head of the providing department
	UserAuthority   = "demo-authority"    // the data authority (数据主管部门)
	UserTech        = "demo-tech"         // the technical service unit
	UserAdmin       = "demo-admin"        // platform administrator
	UserCitizen     = "demo-citizen"      // a citizen, of no department
)

// Codes of the neixiang demo catalog's resources of the providing department
// (models.demoResources). Ids differ between databases, so resources are looked up by code.
const (
	// ResourceUnconditional is shared and opened unconditionally.
	ResourceUnconditional = "NEIXIANG-SCJG-0001"
	// ResourceConditional is shared on conditions and not open (不予开放).
	ResourceConditional = "NEIXIANG-SCJG-0002"
	// ResourceOpenConditional is shared unconditionally and opened on conditions.
	ResourceOpenConditional = "NEIXIANG-SCJG-0004"
)

// ParseDemoTokens reads demo-tokens.env as `datashare dev` writes it (TOKEN_APPLICANT=…,
// TOKEN_RST_APPROVER=…) into tokens by user id (demo-applicant, demo-rst-approver).
func ParseDemoTokens(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, tok, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(name, "TOKEN_") || tok == "" {
			return nil, fmt.Errorf("demo tokens: line %q is not TOKEN_<USER>=<token>", line)
		}
		// The binary names TOKEN_<USER> after the user id without "demo-", upper-cased, with
		// "-" as "_"; this is the way back.
		user := "demo-" + strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(name, "TOKEN_")), "_", "-")
		out[user] = tok
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("demo tokens: %w", err)
	}
	return out, nil
}

// ReadDemoTokens is ParseDemoTokens of a file.
func ReadDemoTokens(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("demo tokens: %w", err)
	}
	defer f.Close()
	return ParseDemoTokens(f)
}

// token returns the bearer token of a demo user, failing t when the stack has none.
func (s Stack) token(t testing.TB, user string) string {
	t.Helper()
	tok := s.Tokens[user]
	if tok == "" {
		t.Fatalf("stack has no token for %s (tokens for %v)", user, keys(s.Tokens))
	}
	return tok
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// APIPath joins a base URL and a path under /api/v1.
func APIPath(base, path string) string {
	return strings.TrimRight(base, "/") + "/api/v1" + path
}

// TaskPath is the path of a task's action ("" for the task itself). The API's ids are
// URL-safe; an id with '/' (the older form) is carried escaped.
func TaskPath(base, taskID, action string) string {
	p := APIPath(base, "/tasks/"+url.PathEscape(taskID))
	if action != "" {
		p += "/" + action
	}
	return p
}

// Me is the part of GET /api/v1/me the driver uses.
type Me struct {
	Subject      string   `json:"subject"`
	DepartmentID string   `json:"department_id"`
	Roles        []string `json:"roles"`
}

// WhoAmI asks base who the token's principal is: the driver takes departments from the
// deployment rather than assuming the demo's ids.
func WhoAmI(t testing.TB, base, token string) Me {
	t.Helper()
	var me Me
	Expect(t, Request{Method: "GET", URL: APIPath(base, "/me"), Token: token}, 200).Decode(t, &me)
	return me
}

// Resource is the part of a catalog resource the driver uses.
type Resource struct {
	ID              int64  `json:"id"`
	Code            string `json:"code"`
	Status          string `json:"status"`
	Version         int    `json:"version"`
	ProviderDeptID  string `json:"provider_dept_id"`
	ShareType       string `json:"share_type"`
	OpenType        string `json:"open_type"`
	UpdateFrequency string `json:"update_frequency"`
	RevisionStatus  string `json:"revision_status"`
}

// ResourceByCode finds a catalog resource by its code, as token's principal sees it.
func ResourceByCode(t testing.TB, base, token, code string) Resource {
	t.Helper()
	var list struct {
		Items []Resource `json:"items"`
	}
	Expect(t, Request{Method: "GET", URL: APIPath(base, "/catalog/resources?limit=100&q="+url.QueryEscape(code)), Token: token}, 200).Decode(t, &list)
	for _, r := range list.Items {
		if r.Code == code {
			return r
		}
	}
	t.Fatalf("catalog resource %s not found at %s (is the %s demo data seeded?)", code, base, Jurisdiction)
	return Resource{}
}

// china is China Standard Time, in which dates of the API (changed_on, agreed_due) are read.
// China has no daylight saving time, so a fixed zone needs no time zone database.
var china = time.FixedZone("CST", 8*60*60)

// chinaDate is the date in China of now shifted by days, as YYYY-MM-DD.
func chinaDate(days int) string {
	return time.Now().In(china).AddDate(0, 0, days).Format(time.DateOnly)
}

// nonce tells runs apart in texts the driver writes, so a second run on the same stack never
// repeats the first (an Idempotency-Key, a code, a proposed catalog value).
func nonce() string {
	return fmt.Sprintf("%d", time.Now().UnixNano())
}
