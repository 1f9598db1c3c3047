package models_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/datashare/datashare/models"
)

func TestCatalogResourceValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *models.CatalogResource)
		fields []string
	}{
		{"valid unconditional", func(r *models.CatalogResource) {}, nil},
		{"conditional without legal basis", func(r *models.CatalogResource) {
			r.ShareType, r.ShareConditions = models.ShareConditional, "经审核"
		}, []string{"legal_basis"}},
		{"not shared without legal basis", func(r *models.CatalogResource) { r.ShareType = models.ShareNone }, []string{"legal_basis"}},
		{"open conditionally without legal basis", func(r *models.CatalogResource) {
			r.OpenType, r.OpenConditions = models.OpenConditional, "脱敏后开放"
		}, []string{"legal_basis"}},
		{"not open without legal basis", func(r *models.CatalogResource) { r.OpenType = models.OpenNone }, []string{"legal_basis"}},
		{"blank legal basis counts as none", func(r *models.CatalogResource) {
			r.ShareType, r.LegalBasis = models.ShareNone, "  \n"
		}, []string{"legal_basis"}},
		{"not shared with legal basis", func(r *models.CatalogResource) {
			r.ShareType, r.LegalBasis = models.ShareNone, "《中华人民共和国保守国家秘密法》"
		}, nil},
		{"conditional without conditions", func(r *models.CatalogResource) {
			r.ShareType, r.LegalBasis = models.ShareConditional, "依据"
		}, []string{"share_conditions"}},
		{"unknown enums", func(r *models.CatalogResource) { r.ShareType, r.OpenType = "open", "" }, []string{"share_type", "open_type"}},
		{"required fields", func(r *models.CatalogResource) {
			r.Code, r.Name, r.Format, r.ProviderDeptID = "", " ", "", ""
		}, []string{"code", "name", "format", "provider_dept_id"}},
		{"code characters", func(r *models.CatalogResource) { r.Code = "目录 1" }, []string{"code"}},
		{"name length in characters", func(r *models.CatalogResource) { r.Name = strings.Repeat("数", 256) }, []string{"name"}},
		{"name of 255 Chinese characters fits", func(r *models.CatalogResource) { r.Name = strings.Repeat("数", 255) }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := validResource("V-1", "dept")
			tc.change(r)
			got := slices.Sorted(maps.Keys(r.Validate()))
			want := slices.Clone(tc.fields)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("invalid fields = %v, want %v (%v)", got, want, r.Validate())
			}
		})
	}

	// Each missing basis cites the articles that require it, and only those: 宁夏 第十条（一）
	// and 乌海 第八条（一） cover data not for sharing, not conditional sharing.
	for _, tc := range []struct {
		share         models.ShareType
		open          models.OpenType
		cites, absent []string
	}{
		{models.ShareNone, models.OpenNone, []string{"宁夏 第十条（一）", "乌海 第八条（一）", "辽宁 第十二条第二款", "内乡 第三十七条第二款（一）"}, []string{"第四十四条"}},
		{models.ShareConditional, models.OpenNone, []string{"辽宁 第十二条第二款", "内乡 第三十七条第二款（一）", "本系统"}, []string{"宁夏", "乌海"}},
		{models.ShareUnconditional, models.OpenConditional, []string{"内乡 第四十四条"}, []string{"宁夏", "辽宁"}},
	} {
		r := validResource("V-1", "dept")
		r.ShareType, r.OpenType, r.ShareConditions, r.OpenConditions = tc.share, tc.open, "条件", "条件"
		msg := r.Validate()["legal_basis"]
		for _, cite := range tc.cites {
			if !strings.Contains(msg, cite) {
				t.Errorf("%s/%s: legal_basis message %q does not cite %s", tc.share, tc.open, msg, cite)
			}
		}
		for _, cite := range tc.absent {
			if strings.Contains(msg, cite) {
				t.Errorf("%s/%s: legal_basis message %q cites %s, which does not require it", tc.share, tc.open, msg, cite)
			}
		}
	}
}

func TestValidationErrorMessage(t *testing.T) {
	err := &models.ValidationError{Fields: map[string]string{"name": "必填", "code": "必填"}}
	if got := err.Error(); got != "invalid input: code: 必填; name: 必填" {
		t.Errorf("Error() = %q", got)
	}
}
