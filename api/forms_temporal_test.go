package api

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// fillForm gives every field of the form form points to a value of its own, by the field's
// type, and puts it in body under the field's JSON name: text with white space around it, so
// the create's trimming is checked too; a list gets two entries, and a nested form (a struct,
// or a pointer to one) is filled the same way. A field of a type it cannot fill fails the
// test, which then needs a value for it.
func fillForm(t *testing.T, form any, body map[string]any) {
	t.Helper()
	fillStruct(t, reflect.ValueOf(form).Elem(), "", body)
}

// fillStruct fills the fields of the struct v, their JSON names prefixed by prefix.
func fillStruct(t *testing.T, v reflect.Value, prefix string, body map[string]any) {
	t.Helper()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		body[name] = fillValue(t, v.Field(i), prefix+name, 40+i)
	}
}

// fillValue gives v a value named after name (n for a number) and returns its JSON as sent.
func fillValue(t *testing.T, v reflect.Value, name string, n int) any {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString("表单 " + name)
		return "  表单 " + name + "\n"
	case reflect.Int:
		v.SetInt(int64(n))
		return n
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		return []any{fillValue(t, v.Index(0), name+"[0]", n), fillValue(t, v.Index(1), name+"[1]", n+100)}
	case reflect.Pointer:
		if v.Type().Elem().Kind() == reflect.Struct {
			v.Set(reflect.New(v.Type().Elem()))
			return fillValue(t, v.Elem(), name, n)
		}
	case reflect.Struct:
		nested := map[string]any{}
		fillStruct(t, v, name+".", nested)
		return nested
	}
	t.Fatalf("%s is a %s: give fillForm a value for it", name, v.Type())
	return nil
}

// A field of an open-data request's form is declared once, in contract.OpenDataForm: the
// create binds it, the workflow carries it, the read model keeps it and every view of the
// request shows it. The form is built from that type's fields, so a field added there is
// checked with no change to this test.
func TestOpenDataFormFieldsReachEveryView(t *testing.T) {
	s := startNeixiangStack(t)
	ta := s.ta
	citizen := ta.token("demo-citizen", "", auth.RoleCitizen)
	approver := ta.token("demo-approver", "neixiang-scjg", auth.RoleApprover)
	authority := ta.token("demo-authority", "neixiang-authority", auth.RoleAuthority)
	var page CatalogResourceList
	ta.expect(ta.do("GET", "/api/v1/catalog/resources?q=NEIXIANG-SCJG-0004", authority, nil), 200).json(t, &page)
	i := slices.IndexFunc(page.Items, func(r CatalogResourceView) bool { return r.Code == "NEIXIANG-SCJG-0004" })
	if i < 0 {
		t.Fatal("no demo resource NEIXIANG-SCJG-0004")
	}
	body := map[string]any{"resource_id": page.Items[i].ID}
	var want contract.OpenDataForm
	fillForm(t, &want, body)
	var created OpenDataRequestStatus
	ta.expect(ta.do("POST", "/api/v1/open-data-requests", citizen, body), 201).json(t, &created)

	var detail OpenDataRequestDetail
	ta.expect(ta.do("GET", "/api/v1/open-data-requests/"+created.ID, citizen, nil), 200).json(t, &detail)
	if detail.OpenDataForm != want {
		t.Errorf("the request's form = %+v, want %+v", detail.OpenDataForm, want)
	}
	var list OpenDataRequestList
	ta.expect(ta.do("GET", "/api/v1/open-data-requests?limit=100", approver, nil), 200).json(t, &list)
	j := slices.IndexFunc(list.Items, func(v OpenDataRequestView) bool { return v.ID == created.ID })
	if j < 0 || list.Items[j].OpenDataForm != want {
		t.Errorf("the producer's list shows the request as %+v, want its form %+v", list.Items, want)
	}
	if task := s.openDataTask(t, approver, created.ID, "step"); task.Purpose != want.Purpose {
		t.Errorf("the reply task's purpose = %q, want %q", task.Purpose, want.Purpose)
	}
}

// A field of a catalog update's form is declared once, in contract.CatalogUpdateForm: the
// create binds it, the workflow carries it, the read model keeps it and every view of the
// update shows it, the update task's purpose naming the trigger and the basis. The trigger is
// one of two codes and changed_on a date not after today, so they take valid values (with
// white space around them, which the create trims) after fillForm; a field added to the form
// is checked with no change to this test.
func TestCatalogUpdateFormFieldsReachEveryView(t *testing.T) {
	s := startShareStack(t)
	ta := s.ta
	approver := ta.providerApprover()
	body := map[string]any{}
	var want contract.CatalogUpdateForm
	fillForm(t, &want, body)
	want.Trigger, want.ChangedOn = contract.TriggerDutiesChanged, time.Now().In(chinaTime).Format(time.DateOnly)
	body["trigger"], body["changed_on"] = " "+want.Trigger+"\n", " "+want.ChangedOn+" "
	var created CatalogUpdateStatus
	ta.expect(ta.do("POST", "/api/v1/catalog-updates", approver, body), 201).json(t, &created)

	var detail CatalogUpdateDetail
	ta.expect(ta.do("GET", "/api/v1/catalog-updates/"+created.ID, approver, nil), 200).json(t, &detail)
	if detail.CatalogUpdateForm != want {
		t.Errorf("the update's form = %+v, want %+v", detail.CatalogUpdateForm, want)
	}
	var list CatalogUpdateList
	ta.expect(ta.do("GET", "/api/v1/catalog-updates?limit=100", ta.authority(), nil), 200).json(t, &list)
	i := slices.IndexFunc(list.Items, func(v CatalogUpdateView) bool { return v.ID == created.ID })
	if i < 0 || list.Items[i].CatalogUpdateForm != want {
		t.Errorf("the authority's list shows the update as %+v, want its form %+v", list.Items, want)
	}
	if task := s.catalogUpdateTask(t, approver, created.ID, contract.StepUpdate); task.Purpose != "行政管理职能变化："+want.Basis {
		t.Errorf("the update task's purpose = %q, want the trigger's name and %q", task.Purpose, want.Basis)
	}
}

// A field of a rectification notice's form is declared once, in contract.RectificationForm:
// the issue binds it, the workflow carries it, the read model keeps it and every view of the
// notice shows it, the rectify task's purpose naming the violation and the description. The
// violation and the time limit are not in the form; a field added to it is checked with no
// change to this test.
func TestRectificationFormFieldsReachEveryView(t *testing.T) {
	s := startShareStack(t)
	ta := s.ta
	department := ta.providerApprover()
	body := map[string]any{"department_id": models.DemoProvidingDeptID, "violation": "catalog_not_maintained", "workdays": 5}
	var want contract.RectificationForm
	fillForm(t, &want, body)
	var created RectificationStatus
	ta.expect(ta.do("POST", "/api/v1/rectifications", ta.authority(), body), 201).json(t, &created)

	var detail RectificationDetail
	ta.expect(ta.do("GET", "/api/v1/rectifications/"+created.ID, department, nil), 200).json(t, &detail)
	if detail.RectificationForm != want {
		t.Errorf("the notice's form = %+v, want %+v", detail.RectificationForm, want)
	}
	var list RectificationList
	ta.expect(ta.do("GET", "/api/v1/rectifications?limit=100", ta.authority(), nil), 200).json(t, &list)
	i := slices.IndexFunc(list.Items, func(v RectificationView) bool { return v.ID == created.ID })
	if i < 0 || list.Items[i].RectificationForm != want {
		t.Errorf("the authority's list shows the notice as %+v, want its form %+v", list.Items, want)
	}
	var task TaskView
	s.eventually(t, "the rectify task in the department's inbox", func() bool {
		var inbox TaskList
		ta.expect(ta.do("GET", "/api/v1/tasks?procedure=rectification", department, nil), 200).json(t, &inbox)
		j := slices.IndexFunc(inbox.Items, func(v TaskView) bool {
			return v.RequestID == created.ID && v.Step == contract.StepRectify && v.Kind == "step"
		})
		if j >= 0 {
			task = inbox.Items[j]
		}
		return j >= 0
	})
	if wantPurpose := created.Violation.Title + "：" + want.Description; task.Purpose != wantPurpose {
		t.Errorf("the rectify task's purpose = %q, want %q", task.Purpose, wantPurpose)
	}
}

// A field of an interface requirement's form is declared once, in
// contract.InterfaceRequirementForm: the create binds it, the workflow carries it, the read
// model keeps it and every view of the requirement shows it, the delivery task's purpose
// naming the description. The agreed date must be a date not before today, so it takes a
// valid value (with white space around it, which the create trims) after fillForm; a field
// added to the form is checked with no change to this test.
func TestInterfaceRequirementFormFieldsReachEveryView(t *testing.T) {
	s := startStackFor(t, "neixiang")
	ta := s.ta
	who := newNeixiangActors(ta)
	body := map[string]any{"department_id": who.producer}
	var want contract.InterfaceRequirementForm
	fillForm(t, &want, body)
	want.AgreedDue = time.Now().In(chinaTime).AddDate(0, 0, 7).Format(time.DateOnly)
	body["agreed_due"] = " " + want.AgreedDue + "\n"
	var created InterfaceRequirementStatus
	ta.expect(ta.do("POST", "/api/v1/interface-requirements", who.authority, body), 201).json(t, &created)

	var detail InterfaceRequirementDetail
	ta.expect(ta.do("GET", "/api/v1/interface-requirements/"+created.ID, who.approver, nil), 200).json(t, &detail)
	if detail.InterfaceRequirementForm != want {
		t.Errorf("the requirement's form = %+v, want %+v", detail.InterfaceRequirementForm, want)
	}
	var list InterfaceRequirementList
	ta.expect(ta.do("GET", "/api/v1/interface-requirements?limit=100", who.authority, nil), 200).json(t, &list)
	i := slices.IndexFunc(list.Items, func(v InterfaceRequirementView) bool { return v.ID == created.ID })
	if i < 0 || list.Items[i].InterfaceRequirementForm != want {
		t.Errorf("the authority's list shows the requirement as %+v, want its form %+v", list.Items, want)
	}
	if task := s.inboxTask(t, who.approver, "interface_extension", created.ID, "request", "step"); task.Purpose != want.Description {
		t.Errorf("the delivery task's purpose = %q, want %q", task.Purpose, want.Description)
	}
}

// A field of an open-catalog correction's form is declared once, in
// contract.OpenCatalogCorrectionForm: the create binds it, the workflow carries it, the read
// model keeps it and every view of the application shows it, the reply task's purpose naming
// the reason. The field must be a content field of the open catalog, so it takes one (with
// white space around it, which the create trims) after fillForm; a field added to the form is
// checked with no change to this test.
func TestOpenCatalogCorrectionFormFieldsReachEveryView(t *testing.T) {
	s := startStackFor(t, "neixiang")
	ta := s.ta
	who := newNeixiangActors(ta)
	body := map[string]any{"resource_id": demoResourceID(t, ta, "NEIXIANG-SCJG-0001")}
	var want contract.OpenCatalogCorrectionForm
	fillForm(t, &want, body)
	want.Field = "description"
	body["field"] = " " + want.Field + "\n"
	var created OpenCatalogCorrectionStatus
	ta.expect(ta.do("POST", "/api/v1/open-catalog-corrections", who.citizen, body), 201).json(t, &created)

	var detail OpenCatalogCorrectionDetail
	ta.expect(ta.do("GET", "/api/v1/open-catalog-corrections/"+created.ID, who.citizen, nil), 200).json(t, &detail)
	if detail.OpenCatalogCorrectionForm != want {
		t.Errorf("the application's form = %+v, want %+v", detail.OpenCatalogCorrectionForm, want)
	}
	var list OpenCatalogCorrectionList
	ta.expect(ta.do("GET", "/api/v1/open-catalog-corrections?limit=100", who.approver, nil), 200).json(t, &list)
	i := slices.IndexFunc(list.Items, func(v OpenCatalogCorrectionView) bool { return v.ID == created.ID })
	if i < 0 || list.Items[i].OpenCatalogCorrectionForm != want {
		t.Errorf("the producer's list shows the application as %+v, want its form %+v", list.Items, want)
	}
	if task := s.inboxTask(t, who.approver, "open_catalog_correction", created.ID, "reply", "step"); task.Purpose != want.Reason {
		t.Errorf("the reply task's purpose = %q, want %q", task.Purpose, want.Reason)
	}
}

// A field of a correction's form is declared once, in contract.CorrectionForm: the create
// binds it, the workflow carries it, the read model keeps it and every view of the correction
// shows it, the verification task's purpose naming the description. The form is built from
// that type's fields, the nested evidence and citizen's objection included, so a field added
// there is checked with no change to this test.
func TestCorrectionFormFieldsReachEveryView(t *testing.T) {
	s := startShareStack(t)
	ta := s.ta
	// Unconditionally shared: the reporting department needs no grant.
	body := map[string]any{"resource_id": demoResourceID(t, ta, "NX-SCJG-0001")}
	var want contract.CorrectionForm
	fillForm(t, &want, body)
	var created CorrectionStatus
	ta.expect(ta.do("POST", "/api/v1/corrections", ta.applicant(), body), 201).json(t, &created)

	var detail CorrectionDetail
	ta.expect(ta.do("GET", "/api/v1/corrections/"+created.ID, ta.applicant(), nil), 200).json(t, &detail)
	if !reflect.DeepEqual(detail.CorrectionForm, want) {
		t.Errorf("the correction's form = %+v, want %+v", detail.CorrectionForm, want)
	}
	var list CorrectionList
	ta.expect(ta.do("GET", "/api/v1/corrections?limit=100", ta.providerApprover(), nil), 200).json(t, &list)
	i := slices.IndexFunc(list.Items, func(v CorrectionView) bool { return v.ID == created.ID })
	if i < 0 || !reflect.DeepEqual(list.Items[i].CorrectionForm, want) {
		t.Errorf("the provider's list shows the correction as %+v, want its form %+v", list.Items, want)
	}
	if task := s.correctionTask(t, ta.providerApprover(), created.ID, "verify"); task.Purpose != want.Description {
		t.Errorf("the verification task's purpose = %q, want %q", task.Purpose, want.Description)
	}
}
