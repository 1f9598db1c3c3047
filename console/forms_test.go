package console

import "testing"

// The API's field messages reach the page in Chinese; one the console does not know keeps its
// words after a Chinese lead-in; a blank field is asked for.
func TestFieldMessagesInChinese(t *testing.T) {
	f := &formState{
		Values: map[string]string{"scope": "x", "workdays": "11", "reason": "", "kind": "abc", "odd": "1", "status": "q", "legal_basis": "a\nb"},
		Errors: map[string]string{
			"scope":       "must be at most 2000 characters",
			"workdays":    "an extension is at most 10 working days",
			"reason":      "an extension request needs a reason",
			"kind":        "must be one of: a, b",
			"odd":         "something the console has never seen",
			"status":      "",
			"legal_basis": "must be one line: no tab, line break or other control character",
		},
	}
	f.explainBlank()
	want := map[string]string{
		"scope":       "不能超过 2000 个字符。",
		"workdays":    "延期最多 10 个工作日。",
		"reason":      "请填写此项。",
		"kind":        "须为以下之一：a, b。",
		"odd":         "此项未通过校验：something the console has never seen",
		"status":      "此项未通过校验。",
		"legal_basis": "须为一行：不能包含制表符、换行符或其他控制字符。",
	}
	for k, w := range want {
		if got := f.Errors[k]; got != w {
			t.Errorf("%s: %q, want %q", k, got, w)
		}
	}
}
