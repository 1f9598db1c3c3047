package policy

// ProductRule is a rule datashare's procedures apply that no article of the profile's
// documents states, or that is stricter than the text: the profile shows it as the product's,
// never as law. The workflows impose these rules whatever the profile says, so Resolve derives
// them from the procedure's steps rather than reading them from the file.
type ProductRule struct {
	// Code names the rule: ProductRuleRefusalFinal, ProductRuleCoordinationFinal,
	// ProductRuleOneExtension.
	Code string `json:"code" yaml:"code"`
	// Rule says what the product does; Note why it is the product's and not the texts'.
	Rule string `json:"rule" yaml:"rule"`
	Note string `json:"note" yaml:"note"`
	// Steps are the steps it applies to (empty: the procedure as a whole).
	Steps []string `json:"steps,omitempty" yaml:"steps"`
}

// The product rules.
const (
	// ProductRuleRefusalFinal: a share refusal not disputed within the window of the first
	// dispute step becomes final.
	ProductRuleRefusalFinal = "refusal_final_after_window"
	// ProductRuleCoordinationFinal: the authority's coordination ends a dispute.
	ProductRuleCoordinationFinal = "coordination_final"
	// ProductRuleOneExtension: a task's deadline is extended at most once.
	ProductRuleOneExtension = "one_extension"
)

// Step codes the product rules follow.
const (
	stepNegotiate  = "negotiate"
	stepCoordinate = "coordinate"
)

// productRules are the product rules the workflows apply to the procedure, by its steps.
func productRules(pr Procedure) []ProductRule {
	if !pr.Applies {
		return nil
	}
	var out []ProductRule
	has := func(code string) bool {
		for _, s := range pr.Steps {
			if s.Code == code {
				return true
			}
		}
		return false
	}
	if pr.Code == ProcShare && (has(stepNegotiate) || has(stepCoordinate)) {
		first := stepCoordinate
		if has(stepNegotiate) {
			first = stepNegotiate
		}
		out = append(out, ProductRule{Code: ProductRuleRefusalFinal, Steps: []string{first},
			Rule: "拒绝答复后，申请部门在异议期内未申请协商或协调的，拒绝即为最终结果；异议期为首个争议步骤的期限，自拒绝之日起计算。",
			Note: "本系统规则：所依办法规定争议由双方协商、主管部门协调，但未规定提出异议的期限，也未规定期满的后果。"})
	}
	if has(stepCoordinate) && (pr.Code == ProcShare || pr.Code == ProcCorrection) {
		rule := ProductRule{Code: ProductRuleCoordinationFinal, Steps: []string{stepCoordinate},
			Rule: "数据共享主管部门的协调决定为最终结果，本系统内不再流转。",
			Note: "本系统规则：所依办法将争议交由主管部门协调，未规定协调结果为终局；对协调结果的其他救济不在本系统内办理。"}
		for _, g := range pr.Steps {
			if g.Code != "government_decision" || len(g.LegalBasis) == 0 {
				continue
			}
			// The national layer's step (政务数据共享条例 第二十八条第二款): from its date a
			// coordination that does not settle the dispute refers it to the government.
			rule.Rule = "数据共享主管部门协调作出的决定（准予共享或维持不予共享）为最终结果，本系统内不再流转；" +
				g.Effective + " 起受理的共享申请，经协调仍未达成一致的，由主管部门报本级人民政府决定（" + g.LegalBasis[0].String() + "），其决定由主管部门录入。"
		}
		out = append(out, rule)
	}
	var once []string
	for _, s := range pr.Steps {
		if s.Extension != nil && s.Extension.MaxCount == 1 {
			once = append(once, s.Code)
			continue
		}
		// A step without a rule of its own takes the national bound's (Resolve attaches the
		// bounds first).
		for _, b := range s.NationalBounds {
			if s.Extension == nil && b.Extension != nil && b.Extension.MaxCount == 1 {
				once = append(once, s.Code)
				break
			}
		}
	}
	if len(once) > 0 {
		out = append(out, ProductRule{Code: ProductRuleOneExtension, Steps: once,
			Rule: "同一任务的期限只能延长一次。",
			Note: "本系统规则，严于条文：条文规定延长的最长期限，未限定延长的次数。"})
	}
	return out
}
