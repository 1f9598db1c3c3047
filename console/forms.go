package console

import "strings"

// formState is what a form was last posted with and what the API said of it, so a refused
// submission shows again as typed, with each error at its field.
type formState struct {
	Values  map[string]string
	Errors  map[string]string
	Message string
}

// Value is a posted value; a nil form has none.
func (f *formState) Value(name string) string {
	if f == nil {
		return ""
	}
	return f.Values[name]
}

// Error is the API's message for a field.
func (f *formState) Error(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// explainBlank puts a hint in Chinese before the API's message at a field left blank: the
// pages are in Chinese, the API's validators answer in English, and the API stays the one
// that decided.
func (f *formState) explainBlank() {
	for k, msg := range f.Errors {
		if strings.TrimSpace(f.Values[k]) == "" {
			f.Errors[k] = "请填写此项。（" + msg + "）"
		}
	}
}

// fieldView is one input of a generated form.
type fieldView struct {
	Name, Label, ID string
	Kind            string // text, textarea, number, date, select, hidden
	Options         []option
	Value, Error    string
	// Hint says what to type, below the input and tied to it.
	Hint     string
	Required bool
}

// DescribedBy are the ids of the field's hint and error, for aria-describedby.
func (f fieldView) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// option is one entry of a select.
// filterView is one labelled select of a list's filter form (the "filter" template).
type filterView struct {
	Name, Label string
	Options     []option
}

func newFilter(name, label string, options []option) filterView {
	return filterView{Name: name, Label: label, Options: options}
}

type option struct {
	Value, Label string
	Selected     bool
}
