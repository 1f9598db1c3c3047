package api

import (
	"strings"
	"testing"
	"time"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models/modelstest"
)

// Outside 内乡 neither procedure exists: both creates answer 422 procedure_not_in_profile,
// naming the profile, before any workflow starts.
func TestOpenCatalogAndInterfaceNotInProfile(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t)) // ningxia
	citizen := ta.token("demo-citizen", "", auth.RoleCitizen)
	agreed := time.Now().In(chinaTime).AddDate(0, 0, 7).Format(time.DateOnly)
	for _, c := range []struct {
		path, token string
		body        map[string]any
	}{
		{"/api/v1/open-catalog-corrections", citizen,
			map[string]any{"resource_id": 1, "field": "name", "proposed_value": "新名称", "reason": "名称有误"}},
		{"/api/v1/interface-requirements", ta.authority(),
			map[string]any{"department_id": "nx-scjg", "description": "查询接口", "agreed_due": agreed}},
	} {
		e := ta.expect(ta.do("POST", c.path, c.token, c.body), 422).errorBody(t)
		if e.Code != CodeProcedureNotInProfile || !strings.Contains(e.Message, "ningxia") {
			t.Errorf("%s: %+v, want procedure_not_in_profile naming ningxia", c.path, e)
		}
	}
	if n := ta.starter.count(); n != 0 {
		t.Errorf("%d workflows started", n)
	}
}

// A value proposed for a one-line field of the catalog (a name, a format) is one line: 400
// naming proposed_value before anything else; the catalog's text of several lines (a
// description, the conditions) may take several.
func TestOpenCatalogProposedValueKeepsTheFieldsLines(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t)) // ningxia: a value that passes is refused by the profile
	citizen := ta.token("demo-citizen", "", auth.RoleCitizen)
	for _, field := range []string{"name", "format", "update_frequency", "timeliness", "provision_method", "open_type"} {
		e := ta.expect(ta.do("POST", "/api/v1/open-catalog-corrections", citizen,
			map[string]any{"resource_id": 1, "field": field, "proposed_value": "第一行\n第二行", "reason": "有误"}), 400).errorBody(t)
		if e.Fields["proposed_value"] == "" || !strings.Contains(e.Message, field) {
			t.Errorf("%s: %+v, want 400 naming proposed_value", field, e)
		}
	}
	for _, field := range []string{"description", "open_conditions", "legal_basis"} {
		e := ta.expect(ta.do("POST", "/api/v1/open-catalog-corrections", citizen,
			map[string]any{"resource_id": 1, "field": field, "proposed_value": "第一行\n第二行", "reason": "有误"}), 422).errorBody(t)
		if e.Code != CodeProcedureNotInProfile {
			t.Errorf("%s: %+v, want the profile's 422", field, e)
		}
	}
}
