package calendar

import "fmt"

// OfficialVersion identifies the embedded official data set and the rules of the estimate
// for unpublished years: it changes whenever the embedded notices or those rules do, so a
// deadline stored with it can be traced to its data, and open deadlines computed on the
// previous version are recomputed when a release changes it. cn-2026.2: the estimate adds
// the bridging and make-up days of the notices' practice.
const OfficialVersion = "cn-2026.2"

// notice is one yearly State Council General Office notice
// (国务院办公厅关于XXXX年部分节假日安排的通知), transcribed item by item.
type notice struct {
	year   int
	number string // 文号, e.g. 国办发明电〔2025〕7号
	issued string // date of issue as printed under the notice
	items  []noticeItem
}

// noticeItem is one numbered item of a notice: a festival's days off (放假调休) and the
// weekend days worked instead (调休上班). off holds the first and the last day off. Where an
// item only says the holiday joins the weekend ("与周末连休": 2024 元旦 and 端午节), the
// weekend belongs to the festival's period of rest and is listed as a holiday of that name,
// as the published day-by-day data sets also do; whether a day is worked is unaffected.
type noticeItem struct {
	name string
	off  [2]string
	work []string
}

// notices is the official data. Each year was read from its notice and is cross-checked
// day by day in the tests against two independently maintained data sets.
var notices = []notice{
	{2023, "国办发明电〔2022〕16号", "2022年12月8日", []noticeItem{
		{"元旦", [2]string{"2022-12-31", "2023-01-02"}, nil},
		{"春节", [2]string{"2023-01-21", "2023-01-27"}, []string{"2023-01-28", "2023-01-29"}},
		{"清明节", [2]string{"2023-04-05", "2023-04-05"}, nil},
		{"劳动节", [2]string{"2023-04-29", "2023-05-03"}, []string{"2023-04-23", "2023-05-06"}},
		{"端午节", [2]string{"2023-06-22", "2023-06-24"}, []string{"2023-06-25"}},
		{"中秋节、国庆节", [2]string{"2023-09-29", "2023-10-06"}, []string{"2023-10-07", "2023-10-08"}},
	}},
	{2024, "国办发明电〔2023〕7号", "2023年10月25日", []noticeItem{
		{"元旦", [2]string{"2023-12-30", "2024-01-01"}, nil},
		{"春节", [2]string{"2024-02-10", "2024-02-17"}, []string{"2024-02-04", "2024-02-18"}},
		{"清明节", [2]string{"2024-04-04", "2024-04-06"}, []string{"2024-04-07"}},
		{"劳动节", [2]string{"2024-05-01", "2024-05-05"}, []string{"2024-04-28", "2024-05-11"}},
		{"端午节", [2]string{"2024-06-08", "2024-06-10"}, nil},
		{"中秋节", [2]string{"2024-09-15", "2024-09-17"}, []string{"2024-09-14"}},
		{"国庆节", [2]string{"2024-10-01", "2024-10-07"}, []string{"2024-09-29", "2024-10-12"}},
	}},
	{2025, "国办发明电〔2024〕12号", "2024年11月12日", []noticeItem{
		{"元旦", [2]string{"2025-01-01", "2025-01-01"}, nil},
		{"春节", [2]string{"2025-01-28", "2025-02-04"}, []string{"2025-01-26", "2025-02-08"}},
		{"清明节", [2]string{"2025-04-04", "2025-04-06"}, nil},
		{"劳动节", [2]string{"2025-05-01", "2025-05-05"}, []string{"2025-04-27"}},
		{"端午节", [2]string{"2025-05-31", "2025-06-02"}, nil},
		{"国庆节、中秋节", [2]string{"2025-10-01", "2025-10-08"}, []string{"2025-09-28", "2025-10-11"}},
	}},
	{2026, "国办发明电〔2025〕7号", "2025年11月4日", []noticeItem{
		{"元旦", [2]string{"2026-01-01", "2026-01-03"}, []string{"2026-01-04"}},
		{"春节", [2]string{"2026-02-15", "2026-02-23"}, []string{"2026-02-14", "2026-02-28"}},
		{"清明节", [2]string{"2026-04-04", "2026-04-06"}, nil},
		{"劳动节", [2]string{"2026-05-01", "2026-05-05"}, []string{"2026-05-09"}},
		{"端午节", [2]string{"2026-06-19", "2026-06-21"}, nil},
		{"中秋节", [2]string{"2026-09-25", "2026-09-27"}, nil},
		{"国庆节", [2]string{"2026-10-01", "2026-10-07"}, []string{"2026-09-20", "2026-10-10"}},
	}},
}

// Official returns the embedded schedules for 2023 to 2026, each citing its notice. The
// result is freshly built on every call; callers may modify it.
func Official() []Schedule {
	out := make([]Schedule, 0, len(notices))
	for _, n := range notices {
		s := Schedule{
			Year:   n.year,
			Source: fmt.Sprintf("国务院办公厅关于%d年部分节假日安排的通知（%s，%s）", n.year, n.number, n.issued),
		}
		for _, it := range n.items {
			first, last := mustDate(it.off[0]), mustDate(it.off[1])
			for d := first; !d.After(last); d = d.AddDays(1) {
				s.Days = append(s.Days, SpecialDay{Date: d, Workday: false, Name: it.name})
			}
			for _, w := range it.work {
				s.Days = append(s.Days, SpecialDay{Date: mustDate(w), Workday: true, Name: it.name})
			}
		}
		out = append(out, s)
	}
	return out
}

// mustDate parses a date of the embedded data; a typo there is a programming error caught
// by every test.
func mustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}
