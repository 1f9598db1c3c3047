package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/workflows/contract"
)

// FuzzDecodeBody feeds arbitrary bodies to the shared decoding of request bodies: bindJSON
// (strict JSON, the binding rules, the control-character walk) over two representative DTOs,
// the share request's and the correction's with its nested evidence, and bindComplete, the
// decision payload of a task. None may panic. Each either refuses the body with a 400 (or a
// 413 past the size limit) that names the bad field — a malformed body names none, being no
// object at all — or returns a value that keeps every rule of its DTO, checked here again
// independently of the code under test.
//
// Longer: go test -run '^$' -fuzz FuzzDecodeBody -fuzztime 10m ./api/ (docs/testing.md).
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"resource_id":2,"purpose":"核验身份","scope":"姓名、证件号码","requested_validity_days":365}`,
		`{"resource_id":2,"purpose":"第一行\n第二行","scope":"姓名","duty_basis":"职责","requested_validity_days":1}`,
		`{"resource_id":2,"fields":["注册资本"],"description":"不一致","evidence":{"attachments":["att-1"],"text":"营业执照"},"citizen_objection":{"source":"12345"}}`,
		`{"decision":"approve","scope":"姓名","usage_purpose":"核验","validity_days":365}`,
		`{"decision":"refuse","reason_code":"other","reason":"理由\r\n第二行","legal_basis":"第十五条","comment":"意见"}`,
		`{"decision":"request_extension","workdays":5,"reason":"数据量大"}`,
		`{"decision":"submit","resource_versions":[{"resource_id":1,"version":2}]}`,
		`{"resource_id":2,"purpose":"a\u0000b","scope":"x","requested_validity_days":365}`,
		`{"resource_id":2,"purpose":"x","scope":"a\u2028b","requested_validity_days":365}`,
		`{"resource_id":"2"}`, `{"resource_id":1e400}`, `{"decision":7}`, `{"decision":"approve","validity_days":1.5}`,
		`{"decision":"approve"}}`, `{"a":1}{"b":2}`, `[1]`, `null`, `"text"`, ``, `{`, "\ufeff{}",
		`{"nmae":"x"}`, `{"evidence":{"text":"\u001b[31m"}}`, `{"fields":["a","b\tc"]}`,
		`{"decision":"approve","x":{"y":[[[[[[]]]]]]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var share ShareRequestInput
		if err := bindBody(body, &share); err != nil {
			checkRefusal(t, "share request", body, err, jsonNames(share))
		} else if msg := shareRequestRules(share); msg != "" {
			t.Fatalf("share request %q accepted as %+v: %s", body, share, msg)
		}

		var corr CorrectionInput
		if err := bindBody(body, &corr); err != nil {
			checkRefusal(t, "correction", body, err, jsonNames(corr))
		} else if msg := correctionRules(corr); msg != "" {
			t.Fatalf("correction %q accepted as %+v: %s", body, corr, msg)
		}

		// A decision is decoded by bindComplete and its fields typed and bounded by
		// checkDecision, which also needs the task for the fields each decision takes; the
		// typing is the part of it that any task applies.
		c := fuzzContext(body)
		u, err := bindComplete(c)
		if err == nil {
			for _, k := range sortedFieldNames(u.Fields) {
				if msg := checkDecisionField(k, u.Fields[k]); msg != "" {
					err = invalidField(k, msg)
					break
				}
			}
		}
		if err != nil {
			var raw map[string]json.RawMessage
			_ = json.Unmarshal(body, &raw)
			members := map[string]bool{"decision": true, "comment": true}
			for k := range raw {
				members[echoName(k)] = true
			}
			checkRefusal(t, "decision", body, err, members)
		} else if msg := decisionRules(u); msg != "" {
			t.Fatalf("decision %q accepted as %+v: %s", body, u, msg)
		}
	})
}

// fuzzMaxBody is the body limit of the fuzzed requests, as limitBody sets it.
const fuzzMaxBody = 1 << 16

// fuzzContext is the little of a Gin context the decoders read: the request's body.
func fuzzContext(body []byte) *gin.Context {
	return &gin.Context{Request: &http.Request{Method: http.MethodPost,
		Body: http.MaxBytesReader(nil, io.NopCloser(bytes.NewReader(body)), fuzzMaxBody)}}
}

func bindBody(body []byte, dst any) error { return bindJSON(fuzzContext(body), dst) }

// checkRefusal requires a refusal to be the API's 400 naming a field of the body (its root
// among names), or a 400 invalid_json, or a 413 past the limit.
func checkRefusal(t *testing.T, what string, body []byte, err error, names map[string]bool) {
	t.Helper()
	ae := toAPIError(err)
	switch {
	case ae.Status == http.StatusRequestEntityTooLarge && len(body) > fuzzMaxBody:
		return
	case ae.Status != http.StatusBadRequest || ae.Message == "":
		t.Fatalf("%s %q: refused with %d %s %q, want a 400", what, body, ae.Status, ae.Code, ae.Message)
	case ae.Code == CodeInvalidJSON:
		return
	case ae.Code != CodeInvalidInput || len(ae.Fields) == 0:
		t.Fatalf("%s %q: refused as %s %q without naming a field", what, body, ae.Code, ae.Message)
	}
	for field, msg := range ae.Fields {
		// A field is named as the body names it, but an error never echoes a name that is no
		// plausible field: long, or holding control characters.
		if !oneLine(field, maxEchoedName+len("[00000]")) || !oneLine(msg, 500) {
			t.Fatalf("%s %q: refused naming %q: %q", what, body, field, msg)
		}
		// A DTO's error names a path (evidence.attachments[0]); a decision's, the member.
		root := field
		if i := strings.IndexAny(root, ".["); i >= 0 {
			root = root[:i]
		}
		if !names[field] && !names[root] && msg != "unknown field" {
			t.Fatalf("%s %q: refused naming %q (%s), which is no field of the body", what, body, field, msg)
		}
	}
}

// jsonNames are the JSON names of a DTO's fields.
func jsonNames(v any) map[string]bool {
	out := map[string]bool{}
	raw, _ := json.Marshal(v)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	for k := range m {
		out[k] = true
	}
	return out
}

// oneLine: valid UTF-8 without control characters or line and paragraph separators.
func oneLine(s string, limit int) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= limit &&
		!strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' })
}

// multiLine: as oneLine, but tab, LF and CR are allowed.
func multiLine(s string, limit int) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= limit &&
		!strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' })
}

func shareRequestRules(in ShareRequestInput) string {
	switch {
	case in.ResourceID < 1:
		return "resource_id below 1"
	case in.Purpose == "" || !multiLine(in.Purpose, 2000):
		return "purpose"
	case in.Scope == "" || !oneLine(in.Scope, 2000):
		return "scope"
	case !multiLine(in.DutyBasis, 2000):
		return "duty_basis"
	case in.RequestedValidityDays < 1 || in.RequestedValidityDays > 3660:
		return "requested_validity_days"
	}
	return ""
}

func correctionRules(in CorrectionInput) string {
	switch {
	case in.ResourceID < 1:
		return "resource_id below 1"
	case len(in.Fields) == 0 || len(in.Fields) > 50:
		return "no fields or more than 50"
	case in.Description == "" || in.Description != strings.TrimSpace(in.Description) || !multiLine(in.Description, 4000):
		return "description"
	}
	for _, f := range in.Fields {
		if f == "" || f != strings.TrimSpace(f) || !oneLine(f, 200) {
			return "a field name"
		}
	}
	e := in.Evidence
	if len(e.Attachments) > 20 || e.Text != strings.TrimSpace(e.Text) || !multiLine(e.Text, 4000) {
		return "evidence"
	}
	for _, a := range e.Attachments {
		if a == "" || a != strings.TrimSpace(a) || !oneLine(a, 255) {
			return "an attachment"
		}
	}
	if o := in.CitizenObjection; o != nil && (o.Source == "" || o.Source != strings.TrimSpace(o.Source) || !oneLine(o.Source, 255)) {
		return "citizen_objection.source"
	}
	return ""
}

// decisionRules restates what a decision may carry to its workflow (api/tasks.go): a
// one-line code, a comment, whole numbers within a hundred years of days, the list of
// resource versions, and text.
func decisionRules(u contract.CompleteUpdate) string {
	if strings.TrimSpace(u.Decision) == "" || !oneLine(u.Decision, 64) {
		return "decision"
	}
	if !multiLine(u.Comment, 2000) {
		return "comment"
	}
	for k, v := range u.Fields {
		if k == "decision" || k == "comment" {
			return k + " among the fields"
		}
		if !fieldCode(k) {
			return "a field named " + k
		}
		switch x := v.(type) {
		case json.Number:
			n, err := x.Int64()
			if !wholeNumberFields[k] || err != nil || n < 1 || n > 36500 {
				return k + ": number " + x.String()
			}
		case []any:
			if k != contract.FieldResourceVersions {
				return k + ": a list"
			}
		case string:
			limit := 2000
			if reportFields[k] {
				limit = 20000
			}
			if reportFields[k] || multilineDecisionFields[k] {
				if !multiLine(x, limit) {
					return k + ": text"
				}
			} else if !oneLine(x, limit) {
				return k + ": one-line text"
			}
		default:
			return k + ": a value of another type"
		}
		if wholeNumberFields[k] {
			if _, ok := v.(json.Number); !ok {
				return k + ": not a number"
			}
		}
	}
	return ""
}

// fieldCode: 1 to 64 lowercase letters, digits and underscores, a letter first.
func fieldCode(s string) bool {
	if s == "" || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' })
}
