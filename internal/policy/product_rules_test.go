package policy

import (
	"strings"
	"testing"
)

// TestProductRulesAreMarkedWhereTheWorkflowsApplyThem: every shipped profile shows, as the
// product's and not the law's, that a share refusal becomes final after its dispute window,
// that coordination ends a share or correction dispute, and that a deadline is extended at
// most once (max_count: 1, stricter than the texts, which cap the length only).
func TestProductRulesAreMarkedWhereTheWorkflowsApplyThem(t *testing.T) {
	// The share reply and the catalog update take the 条例's extension (第二十一条第一款,
	// 第十七条第二款), once per task, where the profile's step has none of its own.
	share := []string{ProductRuleRefusalFinal, ProductRuleCoordinationFinal, ProductRuleOneExtension}
	want := map[string]map[string][]string{ // profile → procedure → rule codes
		"ningxia": {ProcShare: share, ProcCorrection: {ProductRuleCoordinationFinal},
			ProcCatalogUpdate: {ProductRuleOneExtension}},
		"wuhai": {ProcShare: share, ProcCorrection: {ProductRuleCoordinationFinal},
			ProcCatalogUpdate: {ProductRuleOneExtension}},
		"liaoning": {ProcShare: share, ProcCorrection: {ProductRuleCoordinationFinal},
			ProcCatalogUpdate: {ProductRuleOneExtension}},
		"neixiang": {ProcShare: share, ProcCorrection: {ProductRuleCoordinationFinal},
			ProcCatalogUpdate: {ProductRuleOneExtension}, ProcOpenData: {ProductRuleOneExtension},
			ProcOpenCatalogCorrection: {ProductRuleOneExtension}, ProcInterfaceExtension: {ProductRuleOneExtension}},
		// The national profile's own steps carry the 条例's extensions.
		"national": {ProcShare: share, ProcCorrection: {ProductRuleCoordinationFinal},
			ProcCatalogUpdate: {ProductRuleOneExtension}},
	}
	for id, procs := range want {
		p, err := Select(id, "", LocalDefaults{})
		if err != nil {
			t.Fatal(err)
		}
		for _, pr := range p.Procedures {
			var got []string
			for _, r := range pr.ProductRules {
				got = append(got, r.Code)
				if !strings.HasPrefix(r.Note, "本系统规则") || r.Rule == "" {
					t.Errorf("%s/%s: rule %s must say it is the product's: %q", id, pr.Code, r.Code, r.Note)
				}
				for _, s := range r.Steps {
					if _, ok := p.Step(pr.Code, s); !ok {
						t.Errorf("%s/%s: rule %s names step %s, which the procedure does not have", id, pr.Code, r.Code, s)
					}
				}
			}
			if strings.Join(got, ",") != strings.Join(procs[pr.Code], ",") {
				t.Errorf("%s/%s: product rules %v, want %v", id, pr.Code, got, procs[pr.Code])
			}
		}
	}
}

// TestProductRulesFollowTheSteps: the rules come from what the steps are, so a deployment's
// profile that drops negotiation or allows several extensions shows the rules that then apply.
func TestProductRulesFollowTheSteps(t *testing.T) {
	share := Procedure{Code: ProcShare, Applies: true, Steps: []Step{{Code: "reply"}, {Code: stepCoordinate}}}
	rules := productRules(share)
	if len(rules) != 2 || rules[0].Code != ProductRuleRefusalFinal || rules[0].Steps[0] != stepCoordinate {
		t.Errorf("without negotiation the window is the coordination's: %+v", rules)
	}
	twice := Procedure{Code: ProcOpenData, Applies: true, Steps: []Step{{Code: "reply", Extension: &Extension{MaxWorkdays: 10, MaxCount: 2}}}}
	if rules := productRules(twice); len(rules) != 0 {
		t.Errorf("two extensions are no product rule of one: %+v", rules)
	}
	off := Procedure{Code: ProcShare, Applies: false, Steps: share.Steps}
	if rules := productRules(off); len(rules) != 0 {
		t.Errorf("a procedure that does not apply has no rules: %+v", rules)
	}
}

// From the 条例's date a share dispute coordination does not settle goes to the government
// (第二十八条第二款): the coordination_final rule says so under every profile, with the date and
// the article; the correction procedure's coordination stays final.
func TestCoordinationFinalNamesTheGovernmentReferral(t *testing.T) {
	for _, id := range EmbeddedIDs() {
		p, err := Select(id, "", LocalDefaults{})
		if err != nil {
			t.Fatal(err)
		}
		for _, pr := range p.Procedures {
			for _, r := range pr.ProductRules {
				if r.Code != ProductRuleCoordinationFinal {
					continue
				}
				refers := strings.Contains(r.Rule, "2025-08-01 起") && strings.Contains(r.Rule, "《政务数据共享条例》第二十八条第二款")
				if refers != (pr.Code == ProcShare) {
					t.Errorf("%s/%s: %q", id, pr.Code, r.Rule)
				}
			}
		}
	}
}
