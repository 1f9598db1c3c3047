package console

import (
	"slices"

	"github.com/datashare/datashare/api"
	"github.com/datashare/datashare/internal/policy"
)

// The words of the pages. Procedure and step names come from the jurisdiction profile in
// force (GET /api/v1/policies/{id}), as its regulation names them; these maps are the
// fallback and the vocabulary the profile does not carry. An unknown code is shown as it is.

var procedureNames = map[string]string{
	"share":                   "有条件共享申请",
	"catalog_update":          "目录更新",
	"correction":              "数据校核纠错",
	"open_data":               "有条件开放申请",
	"open_catalog_correction": "开放目录更正",
	"interface_extension":     "接口延期",
	"rectification":           "限期整改",
	"annual_report":           "年度报告",
}

var taskKinds = map[string]string{
	"step":        "办理",
	"supervision": "督办",
	"extension":   "延期审批",
}

var taskStatuses = map[string]string{
	"open":      "待办",
	"completed": "已办结",
	"closed":    "已关闭",
}

// requestStatuses covers every procedure's statuses; the same word means the same thing
// across them.
var requestStatuses = map[string]string{
	"pending":          "待答复",
	"refused":          "已拒绝",
	"negotiating":      "协商中",
	"coordinating":     "协调中",
	"granted":          "已授权",
	"rejected":         "最终未获准",
	"withdrawn":        "已撤回",
	"suspended":        "已暂停",
	"revoked":          "已终止",
	"expired":          "已到期",
	"active":           "有效",
	"approved":         "已同意",
	"opened":           "已开放",
	"dispatching":      "分派中",
	"verifying":        "核实中",
	"correcting":       "更正中",
	"answered":         "待确认结果",
	"accepted":         "已接受",
	"upheld":           "已维持",
	"resolved":         "已解决",
	"updating":         "更新中",
	"reviewing":        "审核中",
	"reporting":        "报备中",
	"published":        "已发布",
	"issued":           "已下达",
	"reported":         "已报告",
	"overdue":          "已逾期",
	"rectified":        "已整改",
	"replying":         "答复中",
	"updating_catalog": "目录更新中",
	"disagreed":        "不同意更正",
	"catalog_updated":  "目录已更正",
	"update_rejected":  "更正未获批准",
	"update_failed":    "更正未能写入",
	"required":         "待交付",
	"delivered":        "已交付",
	"draft":            "草稿",
	"submitted":        "已提交",
	"retired":          "已停用",
	"open":             "待办",
	"completed":        "已办结",
	"closed":           "已关闭",
}

var decisionNames = map[string]string{
	"approve":             "同意",
	"refuse":              "不同意",
	"agree":               "同意",
	"fail":                "协商不成",
	"grant":               "准予共享",
	"uphold_refusal":      "维持不予共享",
	"dispatch":            "分派",
	"not_data_problem":    "非数据问题",
	"confirmed":           "确认数据有误",
	"rejected":            "数据无误",
	"corrected":           "已更正",
	"accept":              "接受结果",
	"dispute":             "提出异议",
	"uphold":              "维持原答复",
	"order_correction":    "责令更正",
	"submit":              "提交",
	"return":              "退回",
	"reported":            "已报备",
	"delivered":           "已交付",
	"request_extension":   "申请延期",
	"request_supplement":  "补正告知（一次性告知需补充的材料）",
	"supplemented":        "已补正",
	"refer_to_government": "报本级人民政府决定",
	"approve_extension":   "同意延期",
	"refuse_extension":    "不同意延期",
	"disagree":            "不同意更正",
	"reject":              "不予更新",
	"done":                "报告整改完成",
	"carried_out":         "已执行",
}

var fieldNames = map[string]string{
	"scope":                   "共享范围",
	"usage_purpose":           "使用用途",
	"validity_days":           "有效期（天）",
	"conditions":              "使用条件",
	"reason_code":             "理由类别",
	"reason":                  "理由",
	"legal_basis":             "依据",
	"department_id":           "部门",
	"finding":                 "核实结论",
	"corrected":               "更正内容",
	"instruction":             "处理意见",
	"interface_description":   "接口说明",
	"documentation":           "接口规范及调用说明",
	"report":                  "报告",
	"evidence":                "佐证材料",
	"reference":               "文号或编号",
	"workdays":                "延长的工作日数",
	"missing":                 "需补充的材料（每行一项，一次列全）",
	"supplement":              "补正材料说明",
	"document":                "决定文号",
	"responsibility_list":     "责任清单变化",
	"resource_versions":       "资源版本（JSON，如 [{\"resource_id\":1,\"version\":5}]）",
	"comment":                 "备注",
	"purpose":                 "用途",
	"duty_basis":              "履职依据",
	"method":                  "共享方式",
	"requested_validity_days": "申请有效期（天）",
	"resource_id":             "数据资源",
	"text":                    "内容",
	"to_subject":              "转给（用户 ID）",
	"to_department":           "转给部门",
	"decision":                "决定",
}

var eventNames = map[string]string{
	"submitted":                     "提交申请",
	"task_opened":                   "待办生成",
	"claimed":                       "签收",
	"unclaimed":                     "退回部门",
	"transferred":                   "转办",
	"commented":                     "意见",
	"completed":                     "办结",
	"urged":                         "催办",
	"reminded":                      "到期提醒",
	"overdue":                       "逾期",
	"long_overdue":                  "严重逾期",
	"overdue_withdrawn":             "逾期撤销",
	"extension_requested":           "申请延期",
	"extension_approved":            "同意延期",
	"extension_refused":             "不同意延期",
	"deadline_changed":              "期限变更",
	"task_closed":                   "待办关闭",
	"proposed":                      "提出协商方案",
	"granted":                       "准予共享",
	"refused":                       "不予共享",
	"negotiation_requested":         "申请协商",
	"negotiation_failed":            "协商不成",
	"refusal_final":                 "最终不予共享",
	"withdrawn":                     "撤回",
	"grant_suspended":               "暂停共享",
	"grant_resumed":                 "恢复共享",
	"grant_revoked":                 "终止共享",
	"grant_expired":                 "授权到期",
	"supplement_requested":          "补正告知",
	"supplemented":                  "补正材料",
	"referred_to_government":        "报请本级人民政府决定",
	"government_decided":            "本级人民政府决定",
	"data_opened":                   "数据已开放",
	"open_data_approved":            "同意开放",
	"open_data_refused":             "不予开放",
	"correction_reported":           "报告问题数据",
	"dispatched":                    "分派",
	"dispatch_refused":              "分派未成",
	"verified":                      "核实",
	"data_corrected":                "数据已更正",
	"result_accepted":               "接受结果",
	"result_disputed":               "提出异议",
	"coordinated":                   "协调",
	"catalog_update_opened":         "目录更新启动",
	"catalog_submitted":             "提交目录",
	"catalog_submission_refused":    "目录提交未成",
	"catalog_returned":              "目录退回",
	"catalog_publish_refused":       "目录发布未成",
	"catalog_published":             "目录发布",
	"responsibility_list_updated":   "责任清单更新",
	"reported_to_city":              "报备市级",
	"interface_required":            "提出接口要求",
	"interface_delivered":           "接口交付",
	"open_catalog_correction_filed": "申请更正开放目录",
	"open_catalog_agreed":           "同意更正",
	"open_catalog_disagreed":        "不同意更正",
	"open_catalog_updated":          "开放目录已更正",
	"open_catalog_update_rejected":  "更正未获批准",
	"open_catalog_update_failed":    "更正未能写入",
	"rectification_issued":          "下达整改通知",
	"rectification_linked":          "关联整改通知",
	"rectification_reported":        "报告整改",
	"rectification_report_returned": "整改报告退回",
	"rectified":                     "整改完成",
	"consequence_recorded":          "记录逾期后果",
	"consequence_carried_out":       "后果已执行",
}

var roleNames = map[string]string{
	"applicant":    "使用部门经办人",
	"approver":     "审批人",
	"dept_head":    "部门负责人",
	"authority":    "数据主管部门",
	"tech_service": "技术服务单位",
	"citizen":      "公众",
	"admin":        "管理员",
}

var shareTypes = map[string]string{
	"unconditional": "无条件",
	"conditional":   "有条件",
	"none":          "不予",
}

// flashes are the confirmations after a form post (?done=…).
var flashes = map[string]string{
	"claimed":         "已签收。",
	"unclaimed":       "已退回部门待办池。",
	"commented":       "意见已记录。",
	"transferred":     "已转办。",
	"decided":         "决定已提交。",
	"urged":           "已催办。",
	"created":         "申请已提交。",
	"withdrawn":       "申请已撤回。",
	"negotiation":     "已申请协商。",
	"read":            "已标为已读。",
	"grant_suspended": "共享授权已暂停。",
	"grant_resumed":   "共享授权已恢复。",
	"grant_revoked":   "共享授权已撤销。",

	"result_accepted":         "已接受核实结果。",
	"result_disputed":         "异议已提交，由数据主管部门协调。",
	"correction_reported":     "问题数据已报告。",
	"catalog_update_reported": "目录更新已报告。",
	"rectification_issued":    "整改通知已下达。",
	"interface_required":      "接口要求已提出。",
	"annual_round_opened":     "年度报告已开启，各部门的报告已在其待办中。",
}

// actionWords are a case page's action forms: the heading and the button.
var actionWords = map[string][2]string{
	"withdraw":    {"撤回申请", "撤回"},
	"urge":        {"催办", "催办"},
	"negotiation": {"申请协商", "申请协商"},
	"accept":      {"接受结果", "接受"},
	"dispute":     {"提出异议", "提出异议"},
}

func actionWord(action string, i int) string {
	if w, ok := actionWords[action]; ok {
		return w[i]
	}
	return action
}

func label(m map[string]string, code string) string {
	if s, ok := m[code]; ok {
		return s
	}
	return code
}

func flashText(code string) string { return flashes[code] }

// procedureName is the profile's name of a procedure, or the product's.
func procedureName(p *api.PolicyView, code string) string {
	if p != nil {
		for _, pr := range p.Procedures {
			if pr.Code == code && pr.Name != "" {
				return pr.Name
			}
		}
	}
	return label(procedureNames, code)
}

// stepName is the profile's name of a step, or its code.
func stepName(p *api.PolicyView, procedure, step string) string {
	if p != nil {
		for _, pr := range p.Procedures {
			if pr.Code != procedure {
				continue
			}
			for _, s := range pr.Steps {
				if s.Code == step && s.Name != "" {
					return s.Name
				}
			}
		}
	}
	return step
}

// deliveryMethodNames are the ways of sharing of the 条例's 第二十二条第二款, the choices of a
// delivery's method.
var deliveryMethodNames = map[string]string{
	"interface": "服务接口",
	"batch":     "批量交换",
	"file":      "文件下载",
}

// choiceLabel names a choice of a decision field: a refusal reason by its title in the
// profile's catalogue, a delivery's method by the 条例's name for it.
func choiceLabel(p *api.PolicyView, field, value string) string {
	if field == "method" {
		if name, ok := deliveryMethodNames[value]; ok {
			return name
		}
	}
	if p != nil && field == "reason_code" {
		for _, r := range p.RefusalReasons {
			if r.Code == value {
				return r.Title
			}
		}
	}
	return value
}

// applies reports whether the profile in force provides for the procedure.
func applies(p *api.PolicyView, code string) bool {
	if p == nil {
		return false
	}
	return slices.ContainsFunc(p.Procedures, func(pr policy.Procedure) bool { return pr.Code == code && pr.Applies })
}
