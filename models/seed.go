package models

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// DemoJurisdiction is the profile of the default demo set (宁夏, seed text 000); SeedDemoProfile
// seeds the set of any shipped profile.
const DemoJurisdiction = "ningxia"

// Demo department ids of the ningxia set.
const (
	DemoUsingDeptID     = "nx-rst"       // 使用部门
	DemoProvidingDeptID = "nx-scjg"      // 提供部门
	DemoAuthorityID     = "nx-authority" // 数据共享主管部门
	DemoTechServiceID   = "nx-tech"      // 技术服务单位
)

// demoSet is one profile's demo departments and catalog: an authority, a technical service
// unit, a using and a providing department, named as the profile's regulation names them.
type demoSet struct {
	prefix, codePrefix             string // department id and resource code prefixes
	authority, tech, using, provid string // department names
	// localShare is the share type's basis in the profile's own text, for the demo catalog.
	localShare string
}

var demoSets = map[string]demoSet{
	// 宁夏 第四条 names the body 县级以上人民政府政务数据资源共享主管部门 and calls it 数据共享主管部门;
	// 第五条 and 第十七条 speak of the 自治区 level.
	"ningxia": {prefix: "nx", codePrefix: "NX", authority: "自治区数据共享主管部门", tech: "自治区政务数据共享平台技术服务单位",
		using: "自治区人力资源和社会保障厅", provid: "自治区市场监督管理厅", localShare: "宁夏 第十条(二)"},
	// 乌海 第四条: 市大数据中心 organises and coordinates the sharing.
	"wuhai": {prefix: "wuhai", codePrefix: "WH", authority: "乌海市大数据中心", tech: "乌海市政务信息资源共享平台技术服务单位",
		using: "乌海市人力资源和社会保障局", provid: "乌海市市场监督管理局", localShare: "乌海 第八条(二)"},
	// 辽宁 第四条: the 政务数据资源管理部门 of the province.
	"liaoning": {prefix: "liaoning", codePrefix: "LN", authority: "辽宁省政务数据资源管理部门", tech: "辽宁省政务数据共享平台技术服务单位",
		using: "辽宁省人力资源和社会保障厅", provid: "辽宁省市场监督管理局", localShare: "辽宁 第十一条"},
	// 内乡 第六条: 县政务服务和大数据管理局 is the county's data authority.
	"neixiang": {prefix: "neixiang", codePrefix: "NEIXIANG", authority: "内乡县政务服务和大数据管理局", tech: "内乡县政务数据技术服务单位",
		using: "内乡县人力资源和社会保障局", provid: "内乡县市场监督管理局", localShare: "内乡 第三十七条(二)"},
	// The 条例 alone: departments of one level (同级) and that level's 政务数据共享主管部门
	// (第八条第三款), here those of a city government, named generically.
	"national": {prefix: "national", codePrefix: "NATIONAL", authority: "某市政务服务和数据管理局", tech: "某市政务数据平台技术服务单位",
		using: "某市人力资源和社会保障局", provid: "某市市场监督管理局", localShare: "政务数据共享条例 第十四条(一)"},
}

// DemoProfiles lists the profiles SeedDemoProfile has a demo set for.
func DemoProfiles() []string { return []string{"ningxia", "wuhai", "liaoning", "neixiang", "national"} }

// DemoDepartmentIDs are the ids of a profile's demo departments: the using and the providing
// department, the authority and the technical service unit; ok is false for an unknown
// profile.
func DemoDepartmentIDs(profile string) (using, providing, authority, tech string, ok bool) {
	d, ok := demoSets[profile]
	if !ok {
		return "", "", "", "", false
	}
	if profile == DemoJurisdiction {
		return DemoUsingDeptID, DemoProvidingDeptID, DemoAuthorityID, DemoTechServiceID, true
	}
	return d.prefix + "-rsj", d.prefix + "-scjg", d.prefix + "-authority", d.prefix + "-tech", true
}

// DemoDepartments returns the departments SeedDemo creates (ningxia).
func DemoDepartments() []Department { return DemoDepartmentsFor(DemoJurisdiction) }

// DemoDepartmentsFor returns the demo departments of a profile; nil for an unknown one.
func DemoDepartmentsFor(profile string) []Department {
	d, ok := demoSets[profile]
	if !ok {
		return nil
	}
	using, providing, authority, tech, _ := DemoDepartmentIDs(profile)
	return []Department{
		{ID: authority, Name: d.authority, Kind: KindAuthority, Jurisdiction: profile},
		{ID: tech, Name: d.tech, Kind: KindTechService, ParentID: ptr(authority), Jurisdiction: profile},
		{ID: using, Name: d.using, Kind: KindDepartment, Jurisdiction: profile},
		{ID: providing, Name: d.provid, Kind: KindDepartment, Jurisdiction: profile},
	}
}

// DemoUsers returns the demo principals of the ningxia set.
func DemoUsers() []User { return DemoUsersFor(DemoJurisdiction) }

// DemoUsersFor returns the demo principals with stable ids, so that the binary can print a
// token for each, placed in the profile's demo departments. demo-rst-approver is an approver
// of the using department: acting on a task of the providing department must be refused to it.
func DemoUsersFor(profile string) []User {
	using, providing, authority, tech, ok := DemoDepartmentIDs(profile)
	if !ok {
		return nil
	}
	u := func(id, name string, dept *string, roles ...string) User {
		return User{ID: id, Name: name, DepartmentID: dept, Roles: roles, Active: true}
	}
	return []User{
		u("demo-applicant", "王丽（人社部门经办人）", ptr(using), RoleApplicant),
		u("demo-rst-approver", "赵强（人社部门数据审核员）", ptr(using), RoleApprover),
		u("demo-approver", "李明（市场监管部门数据审核员）", ptr(providing), RoleApprover),
		u("demo-dept-head", "张伟（市场监管部门主要负责人）", ptr(providing), RoleDeptHead),
		u("demo-authority", "马军（数据主管部门）", ptr(authority), RoleAuthority),
		u("demo-tech", "杨帆（技术服务单位）", ptr(tech), RoleTechService),
		u("demo-admin", "平台管理员", ptr(authority), RoleAdmin),
		u("demo-citizen", "陈静（公民）", nil, RoleCitizen),
	}
}

// demoResource is a catalog entry of the demo and how far it goes through review.
type demoResource struct {
	content   ResourceContent
	author    string
	published bool // else left submitted, waiting for the authority
}

func demoResources(profile string) []demoResource {
	d := demoSets[profile]
	using, providing, _, _, _ := DemoDepartmentIDs(profile)
	code := func(dept string, n int) string { return fmt.Sprintf("%s-%s-%04d", d.codePrefix, dept, n) }
	return []demoResource{
		{
			author: "demo-approver", published: true,
			content: ResourceContent{
				Code:            code("SCJG", 1),
				Name:            "市场主体登记基本信息",
				Description:     "本行政区域内企业、个体工商户、农民专业合作社的登记基本信息：统一社会信用代码、名称、类型、住所、法定代表人（负责人）姓名、注册资本、成立日期、登记状态、登记机关。",
				Format:          "结构化数据（数据库表）",
				ShareType:       ShareUnconditional,
				ShareScope:      "本行政区域各级政务部门",
				UpdateFrequency: "实时",
				Timeliness:      "登记办结后 1 个工作日内汇聚至共享平台",
				ProvisionMethod: "共享平台数据接口",
				ProviderDeptID:  providing,
				OpenType:        OpenUnconditional,
				LegalBasis:      "法人单位数据的基础数据项在部门间无条件共享（" + d.localShare + "）；企业登记信息依《企业信息公示暂行条例》向社会公示。",
			},
		},
		{
			author: "demo-approver", published: true,
			content: ResourceContent{
				Code:            code("SCJG", 2),
				Name:            "市场主体法定代表人及出资人身份信息",
				Description:     "法定代表人、负责人、自然人股东（出资人）的姓名、证件类型、证件号码及出资信息。",
				Format:          "结构化数据（数据库表）",
				ShareType:       ShareConditional,
				ShareScope:      "因履行法定职责需核验相关人员身份的政务部门",
				ShareConditions: "经提供部门审核同意后，通过共享平台接口逐条核验，不批量导出；使用部门须明确使用用途，只用于本部门履行职责。",
				UpdateFrequency: "实时",
				Timeliness:      "实时",
				ProvisionMethod: "共享平台核验接口",
				ProviderDeptID:  providing,
				OpenType:        OpenNone,
				LegalBasis:      "《中华人民共和国个人信息保护法》第三十四条：国家机关为履行法定职责处理个人信息，不得超出履行法定职责所必需的范围和限度；《中华人民共和国数据安全法》第三十八条：国家机关对在履行职责中知悉的个人信息等数据应当依法予以保密，不得泄露或者非法向他人提供。",
			},
		},
		{
			author: "demo-approver", published: true,
			content: ResourceContent{
				Code:            code("SCJG", 3),
				Name:            "行政许可申请人提交的商业秘密材料",
				Description:     "食品生产、工业产品生产许可等审查中，申请人提交并标注为商业秘密的配方、工艺流程及技术资料。",
				Format:          "电子文件（PDF）",
				ShareType:       ShareNone,
				UpdateFrequency: "随许可审查",
				Timeliness:      "不适用",
				ProvisionMethod: "不提供",
				ProviderDeptID:  providing,
				OpenType:        OpenNone,
				LegalBasis:      "《中华人民共和国行政许可法》第五条：未经申请人同意，行政机关及其工作人员不得披露申请人提交的商业秘密、未披露信息或者保密商务信息；《中华人民共和国数据安全法》第三十八条。",
			},
		},
		{
			author: "demo-approver", published: true,
			content: ResourceContent{
				Code:            code("SCJG", 4),
				Name:            "食品生产经营许可及监督检查结果",
				Description:     "食品生产、经营许可证的许可项目、有效期与日常监督检查结果（检查结论、整改要求）。",
				Format:          "结构化数据（数据库表）",
				ShareType:       ShareUnconditional,
				ShareScope:      "本行政区域各级政务部门",
				UpdateFrequency: "每日",
				Timeliness:      "检查结果录入后 1 个工作日内更新",
				ProvisionMethod: "共享平台数据接口",
				ProviderDeptID:  providing,
				OpenType:        OpenConditional,
				OpenConditions:  "公民、法人和其他组织申请并说明用途，经生产部门同意后提供；检查结果中的个人信息去标识化处理，不得用于营销。",
				LegalBasis:      "检查结果涉及经营者的个人信息和未公开的经营信息，向社会开放须经申请、限定用途（《中华人民共和国个人信息保护法》第十三条；《中华人民共和国数据安全法》第三十八条）。",
			},
		},
		{
			author: "demo-rst-approver", published: false,
			content: ResourceContent{
				Code:            code("RST", 1),
				Name:            "社会保险参保缴费信息",
				Description:     "职工基本养老、失业、工伤保险的参保登记与缴费记录：参保单位、个人参保状态、缴费基数、缴费月份。",
				Format:          "结构化数据（数据库表）",
				ShareType:       ShareConditional,
				ShareScope:      "办理社会保障、就业、社会救助等业务需核验参保状态的政务部门",
				ShareConditions: "经提供部门审核同意后，通过共享平台接口按人核验参保状态；缴费明细仅向法定职责确需的部门提供。",
				UpdateFrequency: "每月",
				Timeliness:      "次月 10 日前更新上月数据",
				ProvisionMethod: "共享平台数据接口",
				ProviderDeptID:  using,
				OpenType:        OpenNone,
				LegalBasis:      "《中华人民共和国社会保险法》第八十一条：社会保险行政部门和其他有关行政部门、社会保险经办机构及其工作人员，应当依法为用人单位和个人的信息保密，不得以任何形式泄露；《中华人民共和国个人信息保护法》第三十四条。",
			},
		},
	}
}

// SeedDemo creates the demo departments, users and catalog of the ningxia profile, once.
func SeedDemo(ctx context.Context, db *gorm.DB) (created bool, err error) {
	return SeedDemoProfile(ctx, db, DemoJurisdiction)
}

// SeedDemoProfile creates the demo departments and catalog of a profile once, and places the
// demo users in that profile's departments (every time: the same data folder may be started
// under another profile, and the printed tokens follow the users). It reports created=false
// when the profile's departments were already there. Catalog entries go through the store, so
// each has its revision history.
func SeedDemoProfile(ctx context.Context, db *gorm.DB, profile string) (created bool, err error) {
	if _, ok := demoSets[profile]; !ok {
		return false, fmt.Errorf("seed demo data: no demo set for profile %q (one of %v)", profile, DemoProfiles())
	}
	// Processes starting together on one MySQL database may collide (a duplicate key, a
	// deadlock): whoever lost sees the winner's data on the next attempt.
	for attempt := 1; ; attempt++ {
		created, err = seedDemoOnce(ctx, db, profile)
		if err == nil || attempt == 3 || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return false, fmt.Errorf("seed demo data of %s: %w", profile, err)
	}
	return created, nil
}

func seedDemoOnce(ctx context.Context, db *gorm.DB, profile string) (created bool, err error) {
	_, _, authority, _, _ := DemoDepartmentIDs(profile)
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st := NewStore(tx)
		_, err := st.GetDepartment(ctx, authority)
		switch {
		case err == nil:
			created = false
		case errors.Is(err, ErrNotFound):
			created = true
		default:
			return err
		}
		if created {
			for _, d := range DemoDepartmentsFor(profile) {
				if err := st.UpsertDepartment(ctx, &d); err != nil {
					return err
				}
			}
		}
		for _, u := range DemoUsersFor(profile) {
			if err := st.UpsertUser(ctx, &u); err != nil {
				return err
			}
		}
		if !created {
			return nil
		}
		for _, dr := range demoResources(profile) {
			r := CatalogResource{ResourceContent: dr.content}
			if err := st.CreateResource(ctx, &r, dr.author); err != nil {
				return err
			}
			if _, err := st.Submit(ctx, r.ID, 1, dr.author); err != nil {
				return err
			}
			if dr.published {
				if _, err := st.Publish(ctx, r.ID, 2, "demo-authority"); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return created, err
}

func ptr[T any](v T) *T { return &v }
