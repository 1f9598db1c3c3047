package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"github.com/datashare/datashare/activities"
)

// rowOf maps an activity's input onto its read-model row, field by field:
//
//   - a row field takes the input's field of the same name and type;
//   - a string row field FooJSON takes the input's slice or map Foo, JSON-encoded, an empty
//     list stored as [] and an empty map as {}; an input's Foo of type any (a form, kept
//     whole) is JSON-encoded too, a nil one stored as {}.
//
// Every other row field stays zero, for the caller to set next to the call. An encoding that
// fails is the input's fault: the error wraps activities.ErrRejected.
func rowOf[R, I any](in I) (R, error) {
	var row R
	dst, src := reflect.ValueOf(&row).Elem(), reflect.ValueOf(in)
	for i := range dst.NumField() {
		f := dst.Type().Field(i)
		if !f.IsExported() || f.Anonymous {
			continue
		}
		if s, ok := src.Type().FieldByName(f.Name); ok && s.Type == f.Type {
			dst.Field(i).Set(src.FieldByIndex(s.Index))
			continue
		}
		name, isJSON := strings.CutSuffix(f.Name, "JSON")
		s, ok := src.Type().FieldByName(name)
		if !isJSON || !ok || f.Type.Kind() != reflect.String {
			continue
		}
		v := src.FieldByIndex(s.Index)
		var empty any
		switch s.Type.Kind() {
		case reflect.Interface:
			empty = map[string]any{}
		case reflect.Slice:
			empty = []any{}
		case reflect.Map:
			empty = map[string]any{}
		default:
			continue
		}
		value := v.Interface()
		if v.IsNil() {
			value = empty
		}
		b, err := json.Marshal(value)
		if err != nil {
			return row, fmt.Errorf("%w: encode %s: %v", activities.ErrRejected, words(name), err)
		}
		dst.Field(i).SetString(string(b))
	}
	return row, nil
}

// saveRow maps in onto its row and writes the row with upsert; a row the store refuses as
// invalid is rejected.
func saveRow[R, I any](ctx context.Context, in I, upsert func(context.Context, R) (bool, error)) error {
	row, err := rowOf[R](in)
	if err != nil {
		return err
	}
	_, err = upsert(ctx, row)
	return rejected(err)
}

// words spells a field's name as messages do: LegalBasis is "legal basis".
func words(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte(' ')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
