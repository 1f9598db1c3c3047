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
