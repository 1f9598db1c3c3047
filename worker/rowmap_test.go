package worker

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
)

// rowMapping is one input the worker maps onto a read-model row.
type rowMapping struct {
	input any                       // a zero input
	row   func(in any) (any, error) // the mapping the worker's Save uses
	// elsewhere names the row fields the mapping leaves zero, and who sets them.
	elsewhere map[string]string
}

func mapsOnto[R, I any](elsewhere map[string]string) rowMapping {
	return rowMapping{
		input:     *new(I),
		row:       func(in any) (any, error) { return rowOf[R](in.(I)) },
		elsewhere: elsewhere,
	}
}

// rowMappings are every input and row the worker's projections write.
var rowMappings = []rowMapping{
	mapsOnto[models.ShareRequest, activities.ProjectShareRequestInput](nil),
	mapsOnto[models.Grant, activities.ProjectGrantInput](nil),
	mapsOnto[models.Correction, activities.ProjectCorrectionInput](nil),
	mapsOnto[models.OpenDataRequest, activities.ProjectOpenDataRequestInput](nil),
	mapsOnto[models.OpenCatalogCorrection, activities.ProjectOpenCatalogCorrectionInput](nil),
	mapsOnto[models.InterfaceRequirement, activities.ProjectInterfaceRequirementInput](nil),
	mapsOnto[models.Rectification, activities.ProjectRectificationInput](nil),
	mapsOnto[models.CatalogUpdate, activities.ProjectCatalogUpdateInput](nil),
	mapsOnto[models.AnnualReport, activities.ProjectAnnualReportInput](map[string]string{
		"ID": "SaveAnnualReport, from the year and the department"}),
	mapsOnto[models.TimelineEvent, activities.AppendTimelineInput](map[string]string{
		"CreatedAt": "the store"}),
	{
		input:     activities.ProjectTaskInput{},
		row:       func(in any) (any, error) { return taskRow(in.(activities.ProjectTaskInput)) },
		elsewhere: map[string]string{"TaskFacts": "SaveTask, from the task's request"},
	},
}

// Every field of every row is written from the input, and every field of the input is written
// to the row: a field added to both is never dropped, a field added to one alone fails here.
func TestRowsTakeEveryFieldOfTheirInput(t *testing.T) {
	for _, m := range rowMappings {
		in := reflect.New(reflect.TypeOf(m.input)).Elem()
		fill(in, new(int))
		out, err := m.row(in.Interface())
		if err != nil {
			t.Fatalf("%s: %v", in.Type(), err)
		}
		row := reflect.ValueOf(out)
		t.Run(row.Type().Name(), func(t *testing.T) {
			for i := range row.NumField() {
				f, v := row.Type().Field(i), row.Field(i)
				who, ok := m.elsewhere[f.Name]
				switch {
				case ok && !v.IsZero():
					t.Errorf("%s is set by the mapping, though %s is said to set it", f.Name, who)
				case ok:
				case v.IsZero():
					t.Errorf("%s is left zero by the mapping from %s", f.Name, in.Type())
				default:
					checkTakenFrom(t, f.Name, v, in)
				}
			}
			for i := range in.NumField() {
				name := in.Type().Field(i).Name
				_, same := row.Type().FieldByName(name)
				_, encoded := row.Type().FieldByName(name + "JSON")
				if !same && !encoded {
					t.Errorf("%s.%s goes nowhere in %s", in.Type(), name, row.Type())
				}
			}
		})
	}
}

// checkTakenFrom checks that the row field name holds the input's field of that name, or the
// JSON of the one it is named after.
func checkTakenFrom(t *testing.T, name string, v, in reflect.Value) {
	t.Helper()
	if src := in.FieldByName(name); src.IsValid() && src.Type() == v.Type() {
		if !reflect.DeepEqual(src.Interface(), v.Interface()) {
			t.Errorf("%s = %v, the input has %v", name, v, src)
		}
		return
	}
	base, ok := strings.CutSuffix(name, "JSON")
	src := in.FieldByName(base)
	if !ok || !src.IsValid() || v.Kind() != reflect.String {
		return // a conversion of the caller's own (a task's parent or proposal)
	}
	want, err := json.Marshal(src.Interface())
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != string(want) {
		t.Errorf("%s = %s, want %s", name, v.String(), want)
	}
}

// An input's empty lists are stored as [] and its empty maps and forms (nil) as {}.
func TestRowsStoreEmptyListsAndMaps(t *testing.T) {
	for _, m := range rowMappings {
		out, err := m.row(m.input)
		if err != nil {
			t.Fatalf("%T: %v", m.input, err)
		}
		row, in := reflect.ValueOf(out), reflect.ValueOf(m.input)
		for i := range row.NumField() {
			name := row.Type().Field(i).Name
			base, ok := strings.CutSuffix(name, "JSON")
			src := in.FieldByName(base)
			if !ok || !src.IsValid() || row.Field(i).Kind() != reflect.String {
				continue
			}
			want := map[reflect.Kind]string{reflect.Slice: "[]", reflect.Map: "{}"}[src.Kind()]
			if src.Kind() == reflect.Interface {
				want = "{}"
			}
			if got := row.Field(i).String(); got != want {
				t.Errorf("%s.%s of an empty %s = %q, want %q", row.Type(), name, base, got, want)
			}
		}
	}
}

// What JSON cannot encode is the input's fault: the activity must not retry it.
func TestRowOfRejectsWhatItCannotEncode(t *testing.T) {
	_, err := rowOf[models.AnnualReport](activities.ProjectAnnualReportInput{Figures: map[string]any{"n": func() {}}})
	if !errors.Is(err, activities.ErrRejected) || !strings.Contains(err.Error(), "encode figures") {
		t.Fatalf("err = %v, want it rejected for its figures", err)
	}
}

// fill gives every field of v a value of its own, none zero; n counts the values given.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("v%d", *n))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), n)
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		key, elem := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(key, n)
		fill(elem, n)
		v.SetMapIndex(key, elem)
	case reflect.Interface:
		v.Set(reflect.ValueOf(fmt.Sprintf("v%d", *n)))
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(*n) * time.Hour)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	default:
		panic(fmt.Sprintf("fill: no value for a %s", v.Type()))
	}
}
