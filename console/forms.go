package console

import (
	"regexp"
	"strings"
)

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

// explainBlank says in Chinese what the API said of each field: the pages are in Chinese, the
// API's messages are in English, and the API stays the one that decided. A field left blank
// is asked for; a message of a known form is translated; any other is kept after a Chinese
// lead-in, so nothing the API said is lost.
func (f *formState) explainBlank() {
	for k, msg := range f.Errors {
		switch zh, ok := chineseMessage(msg); {
		case strings.TrimSpace(f.Values[k]) == "":
			f.Errors[k] = "请填写此项。"
			if !ok {
				f.Errors[k] += "（" + msg + "）"
			}
		case ok:
			f.Errors[k] = zh
		case strings.TrimSpace(msg) == "":
			f.Errors[k] = "此项未通过校验。"
		default:
			f.Errors[k] = "此项未通过校验：" + msg
		}
	}
}

// apiMessages are the forms of the API's field messages, and what they say in Chinese.
var apiMessages = []struct {
	re *regexp.Regexp
	zh string
}{
	{regexp.MustCompile(`^is required$`), "请填写此项。"},
	{regexp.MustCompile(`^must be one of: (.+)$`), "须为以下之一：$1。"},
	{regexp.MustCompile(`^must be at most (\d+) characters$`), "不能超过 $1 个字符。"},
	{regexp.MustCompile(`^must be at least (\d+)$`), "不能小于 $1。"},
	{regexp.MustCompile(`^must be at most (\d+)$`), "不能大于 $1。"},
	{regexp.MustCompile(`^an extension is at most (\d+) working days$`), "延期最多 $1 个工作日。"},
	{regexp.MustCompile(`^an extension is at least one working day$`), "延期至少 1 个工作日。"},
	{regexp.MustCompile(`^(an extension request|a refused extension) needs a reason$`), "请写明理由。"},
	{regexp.MustCompile(`^to \w+ a grant needs a reason$`), "请写明理由。"},
	{regexp.MustCompile(`^a comment needs text$`), "请填写意见内容。"},
	{regexp.MustCompile(`^decision \w+ requires \w+$`), "作出此决定须填写此项。"},
	{regexp.MustCompile(`^a reason has at most (\d+) characters$`), "理由不能超过 $1 个字符。"},
	{regexp.MustCompile(`^validity_days must be a whole number of days from 1, not .*$`), "有效期须为不小于 1 的整数天数。"},
	{regexp.MustCompile(`^must be a whole number from (\d+) to (\d+)$`), "须为 $1 到 $2 之间的整数。"},
	{regexp.MustCompile(`^must be a whole number \(a JSON number, not text\)$`), "须为整数。"},
	{regexp.MustCompile(`^must be text$`), "须为文字。"},
	{regexp.MustCompile(`^must not contain control characters$`), "不能包含控制字符。"},
	{regexp.MustCompile(`^must be one line: no tab, line break or other control character$`), "须为一行：不能包含制表符、换行符或其他控制字符。"},
	{regexp.MustCompile(`^must be one line, as the catalog's (\w+) is: no tab, line break or other control character$`), "须为一行（目录的该字段只有一行）：不能包含制表符、换行符或其他控制字符。"},
}

// chineseMessage translates an API field message of a known form.
func chineseMessage(msg string) (string, bool) {
	msg = strings.TrimSpace(msg)
	for _, m := range apiMessages {
		if m.re.MatchString(msg) {
			return m.re.ReplaceAllString(msg, m.zh), true
		}
	}
	return "", false
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
