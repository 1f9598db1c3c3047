package contract

import (
	"reflect"
	"strings"
)

// trimText trims the white space around every string field of the struct form points to, so a
// form's Normalize covers a field added to it without a line of its own.
func trimText(form any) {
	v := reflect.ValueOf(form).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String && f.CanSet() {
			f.SetString(strings.TrimSpace(f.String()))
		}
	}
}
