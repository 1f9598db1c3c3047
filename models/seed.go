package models

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// DemoJurisdiction is the profile the demo data belongs to: 宁夏 (seed text 000).
const DemoJurisdiction = "ningxia"

// Demo department ids.
const (
	DemoUsingDeptID     = "nx-rst"       // 使用部门
	DemoProvidingDeptID = "nx-scjg"      // 提供部门
	DemoAuthorityID     = "nx-authority" // 数据共享主管部门
	DemoTechServiceID   = "nx-tech"      // 技术服务单位
)

// demoMarkerUser is looked up to decide whether the demo data is already there.
const demoMarkerUser = "demo-admin"

// DemoDepartments returns the departments SeedDemo creates.
func DemoDepartments() []Department {
	return []Department{
		{
			// 宁夏 第四条 names the body 县级以上人民政府政务数据资源共享主管部门 and calls it
			// 数据共享主管部门; 第五条 and 第十七条 speak of the 自治区 level.
			ID: DemoAuthorityID, Name: "自治区数据共享主管部门", Kind: KindAuthority,
			Jurisdiction: DemoJurisdiction,
		},
		{
			ID: DemoTechServiceID, Name: "自治区政务数据共享平台技术服务单位", Kind: KindTechService,
			ParentID: ptr(DemoAuthorityID), Jurisdiction: DemoJurisdiction,
		},
		{ID: DemoUsingDeptID, Name: "自治区人力资源和社会保障厅", Kind: KindDepartment, Jurisdiction: DemoJurisdiction},
		{ID: DemoProvidingDeptID, Name: "自治区市场监督管理厅", Kind: KindDepartment, Jurisdiction: DemoJurisdiction},
	}
}

// DemoUsers returns the demo principals with stable ids, so that the binary can print a token
// for each. demo-rst-approver is an approver of the using department: acting on a task of the
// providing department must be refused to it.
func DemoUsers() []User {
	u := func(id, name string, dept *string, roles ...string) User {
		return User{ID: id, Name: name, DepartmentID: dept, Roles: roles, Active: true}
	}
	return []User{
		u("demo-applicant", "王丽（人社厅经办人）", ptr(DemoUsingDeptID), RoleApplicant),
		u("demo-rst-approver", "赵强（人社厅数据审核员）", ptr(DemoUsingDeptID), RoleApprover),
		u("demo-approver", "李明（市场监管厅数据审核员）", ptr(DemoProvidingDeptID), RoleApprover),
		u("demo-dept-head", "张伟（市场监管厅主要负责人）", ptr(DemoProvidingDeptID), RoleDeptHead),
		u("demo-authority", "马军（数据共享主管部门）", ptr(DemoAuthorityID), RoleAuthority),
		u("demo-tech", "杨帆（技术服务单位）", ptr(DemoTechServiceID), RoleTechService),
		u("demo-admin", "平台管理员", ptr(DemoAuthorityID), RoleAdmin),
		u("demo-citizen", "陈静（公民）", nil, RoleCitizen),
	}
}

// demoResource is a catalog entry of the demo and how far it goes through review.
type demoResource struct {
	content   ResourceContent
	author    string
	published bool // else left submitted, waiting for the authority
}

func demoResources() []demoResource {
	return []demoResource{
		{
			author: "demo-approver", published: true,
			content: ResourceContent{
				Code:            "NX-SCJG-0001",
				Name:            "市场主体登记基本信息",
				Description:     "全区企业、个体工商户、农民专业合作社的登记基本信息：统一社会信用代码、名称、类型、住所、法定代表人（负责人）姓名、注册资本、成立日期、登记状态、登记机关。",
				Format:          "结构化数据（数据库表）",
				ShareType:       ShareUnconditional,
				ShareScope:      "全区各级政务部门",
				UpdateFrequency: "实时",
				Timeliness:      "登记办结后 1 个工作日内汇聚至共享平台",
				ProvisionMethod: "共享平台数据接口",
				ProviderDeptID:  DemoProvidingDeptID,
				OpenType:        OpenUnconditional,
				LegalBasis:      "法人单位数据的基础数据项在部门间无条件共享（宁夏 第十条(二)）；企业登记信息依《企业信息公示暂行条例》向社会公示。",
			},
		},
		{
			author: "demo-approver", published: true,
			content: ResourceContent{
				Code:            "NX-SCJG-0002",
				Name:            "市场主体法定代表人及出资人身份信息",
				Description:     "法定代表人、负责人、自然人股东（出资人）的姓名、证件类型、证件号码及出资信息。",
				Format:          "结构化数据（数据库表）",
				ShareType:       ShareConditional,
				ShareScope:      "因履行法定职责需核验相关人员身份的政务部门",
				ShareConditions: "经提供部门审核同意后，通过共享平台接口逐条核验，不批量导出；使用部门须明确使用用途，只用于本部门履行职责（宁夏 第十二条、第十四条）。",
				UpdateFrequency: "实时",
				Timeliness:      "实时",
				ProvisionMethod: "共享平台核验接口",
				ProviderDeptID:  DemoProvidingDeptID,
				OpenType:        OpenNone,
				LegalBasis:      "《中华人民共和国个人信息保护法》第三十四条：国家机关为履行法定职责处理个人信息，不得超出履行法定职责所必需的范围和限度；《中华人民共和国数据安全法》第三十八条：国家机关对在履行职责中知悉的个人信息等数据应当依法予以保密，不得泄露或者非法向他人提供。",
			},
		},
		{
			author: "demo-approver", published: true,
			content: ResourceContent{
				Code:            "NX-SCJG-0003",
				Name:            "行政许可申请人提交的商业秘密材料",
				Description:     "食品生产、工业产品生产许可等审查中，申请人提交并标注为商业秘密的配方、工艺流程及技术资料。",
				Format:          "电子文件（PDF）",
				ShareType:       ShareNone,
				UpdateFrequency: "随许可审查",
				Timeliness:      "不适用",
				ProvisionMethod: "不提供",
				ProviderDeptID:  DemoProvidingDeptID,
				OpenType:        OpenNone,
				LegalBasis:      "《中华人民共和国行政许可法》第五条：未经申请人同意，行政机关及其工作人员不得披露申请人提交的商业秘密、未披露信息或者保密商务信息；《中华人民共和国数据安全法》第三十八条。",
			},
		},
		{
			author: "demo-rst-approver", published: false,
			content: ResourceContent{
				Code:            "NX-RST-0001",
				Name:            "社会保险参保缴费信息",
				Description:     "职工基本养老、失业、工伤保险的参保登记与缴费记录：参保单位、个人参保状态、缴费基数、缴费月份。",
				Format:          "结构化数据（数据库表）",
				ShareType:       ShareConditional,
				ShareScope:      "办理社会保障、就业、社会救助等业务需核验参保状态的政务部门",
				ShareConditions: "经提供部门审核同意后，通过共享平台接口按人核验参保状态；缴费明细仅向法定职责确需的部门提供。",
				UpdateFrequency: "每月",
				Timeliness:      "次月 10 日前更新上月数据",
				ProvisionMethod: "共享平台数据接口",
				ProviderDeptID:  DemoUsingDeptID,
				OpenType:        OpenNone,
				LegalBasis:      "《中华人民共和国社会保险法》第八十一条：社会保险行政部门和其他有关行政部门、社会保险经办机构及其工作人员，应当依法为用人单位和个人的信息保密，不得以任何形式泄露；《中华人民共和国个人信息保护法》第三十四条。",
			},
		},
	}
}

// SeedDemo creates the demo departments, users and catalog of the ningxia profile, once. It
// reports created=false, and changes nothing, when the demo data is already there. Catalog
// entries go through the store, so each has its revision history.
func SeedDemo(ctx context.Context, db *gorm.DB) (created bool, err error) {
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st := NewStore(tx)
		if _, err := st.GetUser(ctx, demoMarkerUser); err == nil {
			return errDemoPresent
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		for _, d := range DemoDepartments() {
			if err := st.UpsertDepartment(ctx, &d); err != nil {
				return err
			}
		}
		for _, u := range DemoUsers() {
			if err := st.UpsertUser(ctx, &u); err != nil {
				return err
			}
		}
		for _, dr := range demoResources() {
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
	switch {
	case errors.Is(err, errDemoPresent):
		return false, nil
	case errors.Is(err, ErrConflict):
		// Another process seeded between our check and our insert (MySQL); its data stands.
		if _, gerr := NewStore(db).GetUser(ctx, demoMarkerUser); gerr == nil {
			return false, nil
		}
		return false, fmt.Errorf("seed demo data: %w", err)
	case err != nil:
		return false, fmt.Errorf("seed demo data: %w", err)
	}
	return true, nil
}

// errDemoPresent rolls back the seeding transaction when the demo data exists.
var errDemoPresent = errors.New("demo data present")

func ptr[T any](v T) *T { return &v }
