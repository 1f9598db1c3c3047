package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// The parts of the API's answers a run reads (see docs/api.md); unknown fields are ignored,
// so the shapes hold as the API adds fields.

type meView struct {
	Subject      string `json:"subject"`
	DepartmentID string `json:"department_id"`
}

type resourceView struct {
	ID             int64  `json:"id"`
	Code           string `json:"code"`
	Name           string `json:"name"`
	ShareType      string `json:"share_type"`
	ProviderDeptID string `json:"provider_dept_id"`
	Status         string `json:"status"`
}

type resourceList struct {
	Items      []resourceView `json:"items"`
	NextCursor string         `json:"next_cursor"`
}

// shareRequestStatus is the answer to a create: where the new request stands.
type shareRequestStatus struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	CurrentStep string `json:"current_step"`
}

// shareRequestDetail is GET /api/v1/share-requests/{id}: the request with its open tasks.
type shareRequestDetail struct {
	ID          string     `json:"id"`
	Status      string     `json:"status"`
	CurrentStep string     `json:"current_step"`
	OpenTasks   []taskView `json:"open_tasks"`
}

type taskView struct {
	ID     string `json:"id"`
	Step   string `json:"step"`
	Status string `json:"status"`
}

// openTask is the id of the request's open task of step, or of any open task when step is
// ""; "" when it lists none.
func (d shareRequestDetail) openTask(step string) string {
	for _, t := range d.OpenTasks {
		if t.Status == "open" && (step == "" || t.Step == step) {
			return t.ID
		}
	}
	return ""
}

// Resource is the catalog resource a run requests.
type Resource struct {
	ID             int64  `json:"id"`
	Code           string `json:"code,omitempty"`
	Name           string `json:"name,omitempty"`
	ProviderDeptID string `json:"provider_dept_id,omitempty"`
}

// findResource picks a published conditional resource the applicant may request and the
// approver decides on: one of the approver's department if there is one, else one of any
// department other than the applicant's (a department does not request its own data).
// Under a profile where another party decides (the data authority under neixiang), pass that
// party's token as the approver's.
func findResource(ctx context.Context, c *client, tok Tokens) (Resource, error) {
	var applicant, approver meView
	if err := c.getJSON(ctx, "/api/v1/me", tok.Applicant, &applicant); err != nil {
		return Resource{}, fmt.Errorf("the applicant's token: %w", err)
	}
	if err := c.getJSON(ctx, "/api/v1/me", tok.Approver, &approver); err != nil {
		return Resource{}, fmt.Errorf("the approver's token: %w", err)
	}
	var fallback *resourceView
	cursor := ""
	for page := 0; page < 20; page++ { // 2 000 resources: enough to find one, bounded if not
		q := url.Values{"share_type": {"conditional"}, "status": {"published"}, "limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var list resourceList
		if err := c.getJSON(ctx, "/api/v1/catalog/resources?"+q.Encode(), tok.Applicant, &list); err != nil {
			return Resource{}, err
		}
		for i, r := range list.Items {
			if r.ShareType != "conditional" || r.Status != "published" || r.ProviderDeptID == applicant.DepartmentID {
				continue
			}
			if r.ProviderDeptID == approver.DepartmentID {
				return Resource{ID: r.ID, Code: r.Code, Name: r.Name, ProviderDeptID: r.ProviderDeptID}, nil
			}
			if fallback == nil {
				fallback = &list.Items[i]
			}
		}
		if cursor = list.NextCursor; cursor == "" {
			break
		}
	}
	if fallback != nil {
		return Resource{ID: fallback.ID, Code: fallback.Code, Name: fallback.Name, ProviderDeptID: fallback.ProviderDeptID}, nil
	}
	return Resource{}, errors.New("no published conditional resource of another department than the applicant's in the catalog; name one with --resource ID")
}

// createBody is the share request every create sends; n tells the requests apart in lists.
func createBody(resourceID int64, n int64) map[string]any {
	return map[string]any{
		"resource_id":             resourceID,
		"purpose":                 fmt.Sprintf("datashare bench: load test request %d", n),
		"scope":                   "统一社会信用代码、名称、登记状态",
		"duty_basis":              "负载测试（datashare bench）",
		"requested_validity_days": 365,
	}
}

// approveBody approves a reply task on the terms the request asked for.
var approveBody = map[string]any{
	"decision":      "approve",
	"scope":         "统一社会信用代码、名称、登记状态",
	"usage_purpose": "负载测试（datashare bench）",
	"validity_days": 365,
}

// create sends one share request as the applicant. It returns the answer and, for a 201, the
// new request's status; ok is false for any other outcome, which failures has recorded as a
// "create" error.
func create(ctx context.Context, c *client, tok Tokens, resourceID, n int64, failures *tally) (result, shareRequestStatus, bool) {
	var st shareRequestStatus
	r, err := c.do(ctx, http.MethodPost, "/api/v1/share-requests", tok.Applicant, createBody(resourceID, n))
	if err != nil {
		failures.add("create", err.Error())
		return r, st, false
	}
	if r.status != http.StatusCreated {
		failures.add("create", r.String())
		return r, st, false
	}
	if err := json.Unmarshal(r.body, &st); err != nil || st.ID == "" {
		failures.add("create", "201 without a request id: "+r.String())
		return r, st, false
	}
	return r, st, true
}
