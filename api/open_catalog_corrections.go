package api

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// OpenCatalogCorrectionStore is what the open-catalog correction handlers need of the read
// model.
type OpenCatalogCorrectionStore interface {
	GetOpenCatalogCorrection(ctx context.Context, id string) (*models.OpenCatalogCorrection, error)
	ListOpenCatalogCorrections(ctx context.Context, f models.OpenCatalogCorrectionFilter) ([]models.OpenCatalogCorrection, string, error)
	TimelineReader
}

// OpenCatalogCorrectionInput is a citizen's application to correct one field of an entry of
// the open catalog (开放目录更正, 内乡 第四十五条第二款): which field, what it should be, and why.
type OpenCatalogCorrectionInput struct {
	ResourceID int64 `json:"resource_id" binding:"required,gte=1"`
	contract.OpenCatalogCorrectionForm
}

// OpenCatalogCorrectionStatus is where an application stands, as its workflow reports it: the
// answer to an application. DueAt is the producer's reply deadline (第四十五条第三款).
type OpenCatalogCorrectionStatus struct {
	ID           string   `json:"id"`
	Status       string   `json:"status"`
	WorkflowID   string   `json:"workflow_id"`
	CurrentStep  string   `json:"current_step"`
	DueAt        *string  `json:"due_at"`
	LocalDefault bool     `json:"local_default"`
	LegalBasis   []string `json:"legal_basis"`
}

// OpenCatalogCorrectionView is an application as the list shows it.
type OpenCatalogCorrectionView struct {
	ID             string `json:"id"`
	ResourceID     int64  `json:"resource_id"`
	ResourceCode   string `json:"resource_code"`
	ResourceName   string `json:"resource_name"`
	ProviderDeptID string `json:"provider_dept_id"`
	contract.OpenCatalogCorrectionForm
	CurrentValue string `json:"current_value"`
	Status       string `json:"status"`
	CurrentStep  string `json:"current_step"`
	// Answer is the producer's reasons for disagreeing, AnswerBasis its basis (说明理由，并提供依据).
	Answer      string `json:"answer,omitempty"`
	AnswerBasis string `json:"answer_basis,omitempty"`
	// CatalogVersion is the resource version that carries the proposed value once changed.
	CatalogVersion int      `json:"catalog_version,omitempty"`
	DueAt          *string  `json:"due_at"`
	LocalDefault   bool     `json:"local_default"`
	Overdue        bool     `json:"overdue"`
	WorkflowID     string   `json:"workflow_id"`
	LegalBasis     []string `json:"legal_basis"`
	CreatedAt      string   `json:"created_at"`
	UpdatedAt      string   `json:"updated_at"`
	ClosedAt       *string  `json:"closed_at,omitempty"`
}

// OpenCatalogCorrectionList is one page of applications, newest first.
type OpenCatalogCorrectionList struct {
	Items      []OpenCatalogCorrectionView `json:"items"`
	NextCursor string                      `json:"next_cursor,omitempty"`
}

// OpenCatalogCorrectionDetail is an application with its timeline (办理记录) and, for the
// departments, its open tasks.
type OpenCatalogCorrectionDetail struct {
	OpenCatalogCorrectionView
	caseActivity
}

// openCatalogHandlers serve open-catalog corrections: an application starts an
// OpenCatalogCorrectionWorkflow; the producer's answer and the authority's change of the
// catalog are decisions of their tasks (/tasks/{id}/complete); reads come from the read model.
type openCatalogHandlers struct {
	// opened: a create answers once its first task is in the read model (nil: it does not wait).
	opened      OpenTasks
	store       OpenCatalogCorrectionStore
	catalog     CatalogStore
	departments DepartmentStore
	starter     WorkflowStarter
	profile     policy.Profile
	taskQueue   string
	now         func() time.Time
	views       taskViews
}

func (h openCatalogHandlers) create(c *gin.Context) {
	p := mustPrincipal(c)
	var in OpenCatalogCorrectionInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	field, proposed := in.Field, in.ProposedValue
	switch {
	case !slices.Contains(models.OpenCatalogFields, field):
		abort(c, invalidField("field", "must be a content field of the open catalog: "+strings.Join(models.OpenCatalogFields, ", ")))
		return
	case textRule(proposed, catalogFieldMultiline(field)) != "":
		// The value replaces the field as it is: what the catalog takes only on one line
		// (a name, a format) is refused now, not when the authority approves.
		abort(c, invalidField("proposed_value", "must be one line, as the catalog's "+field+" is: no tab, line break or other control character"))
		return
	}
	if err := procedureInProfile(h.profile, policy.ProcOpenCatalogCorrection); err != nil {
		abort(c, err)
		return
	}
	ctx := c.Request.Context()
	res, ok := askedResource(c, h.catalog, in.ResourceID, false)
	if !ok {
		return
	}
	if !res.InOpenCatalog() {
		abort(c, resourceRule("catalog resource "+res.Code+" is not in the open catalog (published and open unconditionally or on conditions, 第四十五条)"))
		return
	}
	current := *models.OpenCatalogField(&res.ResourceContent, field)
	if current == proposed {
		abort(c, invalidField("proposed_value", "is what the open catalog already says"))
		return
	}
	if bad := models.CheckOpenCatalogChange(res, field, proposed); len(bad) > 0 {
		msgs := make([]string, 0, len(bad))
		for _, k := range slices.Sorted(maps.Keys(bad)) {
			msgs = append(msgs, k+": "+bad[k])
		}
		abort(c, invalidField("proposed_value", "the catalog would not take it: "+strings.Join(msgs, "; ")))
		return
	}
	authority, err := departmentOfKind(ctx, h.departments, models.KindAuthority, h.profile.ID, "authority department")
	if err != nil {
		abort(c, err)
		return
	}
	now := h.now()
	id, err := newRequestID(c, "OC", now)
	if err != nil {
		abort(c, err)
		return
	}
	wid := contract.OpenCatalogCorrectionWorkflowID(id)
	input := contract.OpenCatalogCorrectionInput{
		CorrectionID: id,
		Resource: contract.ShareResource{ID: res.ID, Code: res.Code, Name: res.Name,
			ShareType: string(res.ShareType), ProviderDeptID: res.ProviderDeptID},
		CitizenSubject: p.Subject, OpenCatalogCorrectionForm: in.OpenCatalogCorrectionForm, CurrentValue: current,
		ReceivedAt: now, AuthorityDeptID: authority,
	}
	// The citizen's subject stays out of the search attributes (docs/architecture.md).
	st, ok := startCase(c, caseStarter{h.starter, h.opened, h.profile.ID, h.taskQueue},
		caseStart{noun: "open-catalog correction", id: id, workflowID: wid, workflowType: contract.OpenCatalogCorrectionWorkflowType,
			procedure: policy.ProcOpenCatalogCorrection, provider: res.ProviderDeptID,
			status: contract.OpenCatalogStatusReplying, title: res.Name + " / " + field},
		input, untilStepOpen(contract.QueryOpenCatalogCorrection,
			contract.OpenCatalogCorrectionState{Input: input, CaseState: contract.CaseState{Status: contract.OpenCatalogStatusReplying}},
			func(st contract.OpenCatalogCorrectionState) stepProgress {
				return stepProgress{final: st.Final, step: st.CurrentStep, due: st.DueAt != nil}
			}))
	if !ok {
		return
	}
	out := OpenCatalogCorrectionStatus{ID: id, Status: st.Status, WorkflowID: wid, CurrentStep: st.CurrentStep,
		DueAt: formatTimePtr(st.DueAt), LocalDefault: st.LocalDefault, LegalBasis: nonNil(st.LegalBasis)}
	c.Header("Location", "/api/v1/open-catalog-corrections/"+id)
	c.JSON(http.StatusCreated, out)
}

// seesAllOpenCatalogCorrections: the authority supervises every application.
func seesAllOpenCatalogCorrections(p auth.Principal) bool { return p.Has(auth.RoleAuthority) }

// canSeeOpenCatalogCorrection: the citizen who applied, the producing department, the authority.
func canSeeOpenCatalogCorrection(p auth.Principal, r *models.OpenCatalogCorrection) bool {
	if p.Has(auth.RoleCitizen) && p.DepartmentID == "" {
		return r.CitizenSubject == p.Subject
	}
	return seesAllOpenCatalogCorrections(p) || p.InDepartment(r.ProviderDeptID)
}

// cases are open-catalog corrections as the API reads them: a citizen reads its own, with the
// citizen's timeline and without tasks, on which a citizen does not act.
func (h openCatalogHandlers) cases() caseKind[models.OpenCatalogCorrection, OpenCatalogCorrectionView, OpenCatalogCorrectionList] {
	return caseKind[models.OpenCatalogCorrection, OpenCatalogCorrectionView, OpenCatalogCorrectionList]{
		noun: "open-catalog correction", find: h.store.GetOpenCatalogCorrection, visible: canSeeOpenCatalogCorrection,
		id: func(r *models.OpenCatalogCorrection) string { return r.ID }, view: toOpenCatalogCorrectionView, now: h.now,
		activity: h.store, views: h.views, citizens: true,
		seesTasks: func(p auth.Principal) bool { return p.DepartmentID != "" },
		detail: func(_ context.Context, _ *models.OpenCatalogCorrection, v OpenCatalogCorrectionView, a caseActivity) (any, error) {
			return OpenCatalogCorrectionDetail{OpenCatalogCorrectionView: v, caseActivity: a}, nil
		},
		findPage: func(c *gin.Context, p auth.Principal, q listQuery) ([]models.OpenCatalogCorrection, string, error) {
			f := models.OpenCatalogCorrectionFilter{Status: q.status, Cursor: q.cursor, Limit: q.limit}
			switch {
			case p.Has(auth.RoleCitizen) && p.DepartmentID == "":
				f.CitizenSubject = p.Subject
			case seesAllOpenCatalogCorrections(p):
				f.SeesAll = true
			default:
				f.DepartmentID = p.DepartmentID
			}
			return h.store.ListOpenCatalogCorrections(c.Request.Context(), f)
		},
	}
}

func (h openCatalogHandlers) list(c *gin.Context) { h.cases().list(c) }

func (h openCatalogHandlers) get(c *gin.Context) { h.cases().get(c) }

func toOpenCatalogCorrectionView(r *models.OpenCatalogCorrection, now time.Time) (OpenCatalogCorrectionView, error) {
	v := OpenCatalogCorrectionView{
		ID: r.ID, ResourceID: r.ResourceID, ResourceCode: r.ResourceCode, ResourceName: r.ResourceName,
		ProviderDeptID: r.ProviderDeptID, CurrentValue: r.CurrentValue, Status: r.Status, CurrentStep: r.CurrentStep, Answer: r.Answer, AnswerBasis: r.AnswerBasis,
		CatalogVersion: r.CatalogVersion, DueAt: formatTimePtr(r.DueAt), LocalDefault: r.LocalDefault,
		Overdue: r.DueAt != nil && r.ClosedAt == nil && now.After(*r.DueAt), WorkflowID: r.WorkflowID,
		CreatedAt: formatTime(r.CreatedAt), UpdatedAt: formatTime(r.UpdatedAt), ClosedAt: formatTimePtr(r.ClosedAt),
	}
	var err error
	v.LegalBasis, err = decodeStrings(r.LegalBasisJSON)
	if err != nil {
		return OpenCatalogCorrectionView{}, fmt.Errorf("open-catalog correction %s: legal basis: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.FormJSON), &v.OpenCatalogCorrectionForm); err != nil {
		return OpenCatalogCorrectionView{}, fmt.Errorf("open-catalog correction %s: form: %w", r.ID, err)
	}
	return v, nil
}

func decodeStrings(raw string) ([]string, error) {
	out := []string{}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			return nil, err
		}
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// catalogFieldMultiline reports whether a catalog resource's content field (by JSON name) is
// text of several lines, as the text tags of CatalogResourceInput say.
func catalogFieldMultiline(name string) bool {
	t := reflect.TypeFor[CatalogResourceInput]()
	for i := range t.NumField() {
		if n, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); n == name {
			return t.Field(i).Tag.Get(textTag) == "multiline"
		}
	}
	return false
}
