// Package calendar is China's working-day calendar (工作日) and the counting rule of the
// deadlines "within N working days" (在N个工作日内) that the data-sharing regulations set.
//
// A working day is Monday to Friday, minus the days off of the State Council General
// Office's yearly notice (国务院办公厅关于XXXX年部分节假日安排的通知), plus the weekend days
// that notice makes working days (调休上班). The notices for 2023 to 2026 are embedded, each
// year citing its notice; the caller adds years an admin loaded and per-day overrides.
// Classification happens in Asia/Shanghai whatever the caller's time zone, and it is built
// on a rickar/cal BusinessCalendar whose WorkdayFunc is this package's classification
// (registering holidays with it would cancel the make-up Saturdays).
//
// A year without a schedule is never treated as plain Monday–Friday: its schedule is
// estimated — the statutory holidays, and from 2025 the bridging days and make-up working
// days the notices usually add (see Estimate and practice) —, its days are marked
// Provisional, and a deadline that reaches into it says so and lists the unconfirmed dates.
//
// # Counting rule
//
// For a step to be done within N working days of a receipt:
//
//   - dates are reckoned in Asia/Shanghai (+08:00);
//   - the day of receipt is not counted, also when it is a weekend day or a holiday;
//   - day 1 is the first working day after the day of receipt;
//   - the deadline is the end of the N-th working day, returned as 23:59:59 +08:00.
//
// For example a request received on Friday 2026-02-13 (the last working day before the
// Spring Festival break 2026-02-15..23, with Saturday 2026-02-14 a make-up working day) has
// day 1 on 2026-02-14 and, with N = 5, is due at 2026-02-27T23:59:59+08:00.
//
// The package is pure: no database, network or clock; a Calendar is immutable and its
// answers depend only on its inputs.
package calendar
