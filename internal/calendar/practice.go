package calendar

// practiceFrom is the first year the estimate models the notices' practice: the first year
// of the 2024 revision, the only one whose notices the rules are drawn from.
const practiceFrom = 2025

// Period lengths of the festivals with a set length (rule 2).
const (
	springPeriod      = 8
	labourPeriod      = 5
	nationalPeriod    = 7
	nationalMidPeriod = 8
	maxWorkRun        = 6  // working days in a row a make-up day may create (rule 4)
	makeupSearch      = 42 // days searched on each side for a make-up day
)

// item is one holiday item being estimated.
type item struct {
	name        string
	first, last Date // the period (rule 2)
	bridges     int
	joined      map[Date]bool // weekend days next to the period (rule 3)
}

// practice adds to days (the statutory days off and substitutes, off) the bridging days, the
// joined weekends and the make-up working days.
//
// The notices do more than the 办法 requires: they move days off (调休) so that a festival
// joins a weekend, and make weekend days working days (调休上班) to pay for them. No rule of law
// fixes how; practice models what the notices under the 2024 revision of the 办法 did — the
// notices for 2025 (国办发明电〔2024〕12号) and 2026 (国办发明电〔2025〕7号), embedded in
// official.go — so that an unpublished year's deadlines are counted on a likely calendar. The
// result stays an estimate: every day of such a year is Provisional until its notice is loaded.
//
// The rules, festival by festival (each a holiday item of the notice, 中秋节 and 国庆节 one item
// when 中秋 falls between 29 September and 7 October):
//
//  1. Core: the statutory days and their substitutes (补假).
//  2. Period: a run of days around the core, its weekdays outside the core being bridging days
//     off (调休放假):
//     - 春节: 8 days from 除夕 (2025: 01-28…02-04; 2026: 02-16…02-23);
//     - 劳动节: 5 days; 国庆节: 7 days; 国庆节 with 中秋节: 8 days — of the runs that long
//     holding the core, the latest-starting of those with the fewest bridging days, so that it
//     starts on the first statutory day when it can (2025: 05-01…05-05 and 10-01…10-08; 2026:
//     05-01…05-05 and 10-01…10-07);
//     - a one-day festival (元旦, 清明节, 端午节, 中秋节 alone): the core, bridged to a weekend
//     one weekday away (a Tuesday or Thursday festival: 2026 元旦 Thursday 01-01 with Friday
//     01-02), not over two (a Wednesday festival stays one day: 2025 元旦).
//  3. The weekend days next to a period join it as days off of the festival (2025 清明节
//     04-04…04-06, 2026 春节 from Sunday 02-15).
//  4. Each bridging day is paid for by one make-up working day on a weekend. With one, it
//     goes to the nearer side of the period, before on a tie (2025 劳动节: Sunday 04-27; 2026
//     劳动节: Saturday 05-09; 2026 元旦: Sunday 01-04); with two, one before and one after. On
//     each side it is the weekend day nearest the period that:
//     - is not part of another festival's period or of the weekend joined to it (2026 国庆节
//     skips 中秋's weekend 09-26…27 and takes Sunday 09-20);
//     - adjoins an ordinary working day, so that no working day stands alone between days off
//     (2026 春节: Saturday 02-14, not Sunday 02-15 next to 除夕);
//     - leaves no more than 6 working days in a row.
//
// The 2025 and 2026 notices follow these rules day for day (TestEstimateAgainstNotices). They
// are fitted to those two notices; the next notice may choose otherwise.
func practice(fs []festival, off map[Date]string, days map[Date]SpecialDay) {
	var items []*item
	for _, f := range fs {
		if n := len(items); n > 0 && items[n-1].name == f.name {
			continue // 中秋节 and 国庆节 as one item: its core is found by name below
		}
		items = append(items, &item{name: f.name})
	}
	core := func(it *item) (first, last Date) {
		found := false
		for d, name := range off {
			if name != it.name {
				continue
			}
			if !found || d.Before(first) {
				first = d
			}
			if !found || d.After(last) {
				last = d
			}
			found = true
		}
		return first, last
	}
	// Another item's day: a run may not take it.
	otherOff := func(it *item, d Date) bool {
		name, ok := off[d]
		return ok && name != it.name
	}
	for _, it := range items {
		first, last := core(it)
		it.first, it.last = first, last
		switch it.name {
		case nameSpring:
			eve := first // 春节's core starts on 除夕 under the 2024 revision
			it.first = eve
			if end := eve.AddDays(springPeriod - 1); end.After(it.last) {
				it.last = end
			}
		case nameLabour:
			it.first, it.last = bestRun(first, last, labourPeriod, off, func(d Date) bool { return otherOff(it, d) })
		case nameNational:
			it.first, it.last = bestRun(first, last, nationalPeriod, off, func(d Date) bool { return otherOff(it, d) })
		case nameMidNational, nameNationalMid:
			it.first, it.last = bestRun(first, last, nationalMidPeriod, off, func(d Date) bool { return otherOff(it, d) })
		default: // a one-day festival: bridge a single weekday to the weekend
			if b := first.AddDays(-1); !b.weekend() && !otherOff(it, b) && b.AddDays(-1).weekend() {
				it.first = b
			}
			if b := last.AddDays(1); !b.weekend() && !otherOff(it, b) && b.AddDays(1).weekend() {
				it.last = b
			}
		}
		for d := it.first; !d.After(it.last); d = d.AddDays(1) {
			if _, ok := off[d]; !ok && !d.weekend() {
				it.bridges++
			}
		}
	}
	inPeriod := func(d Date) bool {
		for _, it := range items {
			if !d.Before(it.first) && !d.After(it.last) {
				return true
			}
		}
		return false
	}
	for _, it := range items {
		it.joined = make(map[Date]bool)
		for d := it.first.AddDays(-1); d.weekend() && !inPeriod(d); d = d.AddDays(-1) {
			it.joined[d] = true
		}
		for d := it.last.AddDays(1); d.weekend() && !inPeriod(d); d = d.AddDays(1) {
			it.joined[d] = true
		}
	}
	makeup := make(map[Date]string) // make-up day → the item it pays for
	working := func(d Date) bool { _, m := makeup[d]; return m || (!d.weekend() && !inPeriod(d)) }
	// candidate is the make-up day on one side (step -1 before, +1 after), with its distance.
	candidate := func(it *item, step int) (Date, int, bool) {
		edge := it.last
		if step < 0 {
			edge = it.first
		}
		for dist := 1; dist <= makeupSearch; dist++ {
			d := edge.AddDays(step * dist)
			if _, taken := makeup[d]; taken || !d.weekend() || inPeriod(d) || joinedByOther(items, it, d) {
				continue
			}
			if !(!d.AddDays(-1).weekend() && working(d.AddDays(-1))) && !(!d.AddDays(1).weekend() && working(d.AddDays(1))) {
				continue // it would stand alone between days off
			}
			makeup[d] = it.name
			run := 1
			for e := d.AddDays(-1); working(e); e = e.AddDays(-1) {
				run++
			}
			for e := d.AddDays(1); working(e); e = e.AddDays(1) {
				run++
			}
			delete(makeup, d)
			if run <= maxWorkRun {
				return d, dist, true
			}
		}
		return Date{}, 0, false
	}
	for _, it := range items {
		for i := 0; i < it.bridges; i++ {
			before, db, okB := candidate(it, -1)
			after, da, okA := candidate(it, 1)
			useAfter := okA && (!okB || da < db) // one: the nearer side, before on a tie
			if it.bridges >= 2 && okA && okB {
				useAfter = i%2 == 1 // a pair: one before, one after
			}
			pick := before
			switch {
			case useAfter:
				pick = after
			case !okB:
				continue // no weekend day qualifies: the bridging day stays unpaid
			}
			makeup[pick] = it.name
			delete(it.joined, pick)
		}
	}
	for _, it := range items {
		for d := it.first; !d.After(it.last); d = d.AddDays(1) {
			if _, ok := days[d]; !ok {
				days[d] = SpecialDay{Date: d, Workday: false, Name: it.name}
			}
		}
		for d := range it.joined {
			if _, m := makeup[d]; !m {
				days[d] = SpecialDay{Date: d, Workday: false, Name: it.name}
			}
		}
	}
	for d, name := range makeup {
		days[d] = SpecialDay{Date: d, Workday: true, Name: name}
	}
}

// joinedByOther reports whether d is a weekend day joined to another item's period.
func joinedByOther(items []*item, it *item, d Date) bool {
	for _, o := range items {
		if o != it && o.joined[d] {
			return true
		}
	}
	return false
}

// bestRun is the run of n days holding first..last with the fewest weekdays not in off,
// taking none of taken's days: the one that starts on first if it is among them, else the
// latest. When the core is longer than n, the core.
func bestRun(first, last Date, n int, off map[Date]string, taken func(Date) bool) (Date, Date) {
	length := last.dayNumber() - first.dayNumber() + 1
	if length >= n {
		return first, last
	}
	bestFirst, bestBridges, found := first, 0, false
	for start := last.AddDays(1 - n); !start.After(first); start = start.AddDays(1) {
		bridges, ok := 0, true
		for d := start; d.Before(start.AddDays(n)); d = d.AddDays(1) {
			if taken(d) {
				ok = false
				break
			}
			if _, isOff := off[d]; !isOff && !d.weekend() {
				bridges++
			}
		}
		if !ok {
			continue
		}
		// Later starts win ties, and first is the latest start there is.
		if !found || bridges <= bestBridges {
			bestFirst, bestBridges, found = start, bridges, true
		}
	}
	return bestFirst, bestFirst.AddDays(n - 1)
}
