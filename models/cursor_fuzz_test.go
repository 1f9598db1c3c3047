package models

import (
	"encoding/base64"
	"testing"
	"time"
)

// FuzzInboxCursor feeds arbitrary strings to the decoders of the page cursors clients send
// back (?cursor=): the inbox's, the 已办 list's, the catalog's and those of the share
// requests and grants. None may panic, and whatever the inbox decoder accepts encodes back to
// a cursor that decodes to the same key. The other arguments build a task whose cursor must
// round-trip exactly.
//
// Longer: go test -run '^$' -fuzz FuzzInboxCursor -fuzztime 10m ./models/ (docs/testing.md).
func FuzzInboxCursor(f *testing.F) {
	due := time.Date(2026, 3, 2, 15, 59, 59, 0, time.UTC)
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, s := range []string{
		"", encodeInboxCursor(Task{TaskID: "share-request-SR-1/reply/1", DueAt: &due}),
		encodeInboxCursor(Task{TaskID: "share-request-SR-1/reply/1"}), encodeCursor(42),
		b64("t1:n|"), b64("t1:|x"), b64("t1:9223372036854775807|x"), b64("t1:-9223372036854775808|x"),
		b64("t1:99999999999999999999|x"), b64("t1:n|a|b"), b64("d1:1|x"), b64("r1:-1"), b64("s1:"),
		"bm90LWEtY3Vyc29y", "!!!", "t1:n|x", "====", "\x00",
	} {
		f.Add(s, int64(1772467199000000), true, "share-request-SR-1/reply/1")
	}
	f.Add("", int64(-1), true, "a|b")
	f.Add("", int64(0), false, "")
	f.Fuzz(func(t *testing.T, cursor string, micros int64, hasDue bool, taskID string) {
		// Every decoder takes any string.
		decodeDecidedCursor(cursor)
		decodeCursor(cursor)
		decodeIDCursor(shareRequests.cursor, cursor)
		decodeIDCursor(grants.cursor, cursor)
		if id, ok := decodeCursor(cursor); ok && cursor != "" {
			if back, ok := decodeCursor(encodeCursor(id)); !ok || back != id {
				t.Fatalf("catalog cursor %q: id %d encodes to a cursor that decodes to %d, %v", cursor, id, back, ok)
			}
		}

		// What a decoder accepts, both databases can compare with: MySQL's driver refuses a
		// time outside the years 1 to 9999, and the list would fail with a 500.
		if k, ok := decodeDecidedCursor(cursor); ok && k != nil && !storable(k.at) {
			t.Fatalf("已办 cursor %q decodes to the time %v", cursor, k.at)
		}
		if k, ok := decodeInboxCursor(cursor); ok && k != nil && k.due != nil && !storable(*k.due) {
			t.Fatalf("inbox cursor %q decodes to the deadline %v", cursor, *k.due)
		}

		if k, ok := decodeInboxCursor(cursor); ok && k != nil {
			again, ok := decodeInboxCursor(encodeInboxCursor(Task{TaskID: k.taskID, DueAt: k.due}))
			if !ok || !sameInboxKey(k, again) {
				t.Fatalf("cursor %q decodes to %v, which encodes to a cursor that decodes to %v, %v", cursor, k, again, ok)
			}
		}

		// A task's cursor decodes to its key: the deadline to the microsecond, the id as is.
		if taskID == "" {
			return // no task has an empty id
		}
		task := Task{TaskID: taskID}
		if d := time.UnixMicro(micros); hasDue && storable(d) {
			task.DueAt = &d
		}
		k, ok := decodeInboxCursor(encodeInboxCursor(task))
		if !ok || !sameInboxKey(k, &inboxKey{due: task.DueAt, taskID: taskID}) {
			t.Fatalf("task %q due %v: its cursor decodes to %v, %v", taskID, task.DueAt, k, ok)
		}
	})
}

func sameInboxKey(a, b *inboxKey) bool {
	if a == nil || b == nil {
		return a == b
	}
	if (a.due == nil) != (b.due == nil) || a.taskID != b.taskID {
		return false
	}
	return a.due == nil || a.due.Equal(*b.due)
}

// storable: a time both databases store and compare, in the years 1 to 9999 (UTC).
func storable(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}
