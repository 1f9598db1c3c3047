package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

// Notifications reach a department's role or a person, once per key; each person reads them
// on their own.
func TestNotifications(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		add := func(key, dept, role, subject string) {
			t.Helper()
			if _, err := st.AppendNotification(ctx, models.Notification{EventKey: key, At: at, DepartmentID: dept, Role: role,
				Subject: subject, Kind: "reminded", TaskID: "t", RequestID: "r"}); err != nil {
				t.Fatal(err)
			}
		}
		add("n1", "dept-a", "approver", "")
		add("n2", "dept-a", "dept_head", "")
		add("n3", "", "", "alice")
		add("n4", "dept-b", "approver", "")
		if ok, err := st.AppendNotification(ctx, models.Notification{EventKey: "n1", At: at, DepartmentID: "dept-a", Role: "approver", Kind: "x"}); ok || err != nil {
			t.Fatalf("a repeated key = %v, %v", ok, err)
		}
		if _, err := st.AppendNotification(ctx, models.Notification{EventKey: "n5", At: at, Kind: "x"}); err == nil {
			t.Error("a notification to nobody was stored")
		}
		alice := models.NotificationFilter{DepartmentID: "dept-a", Roles: []string{"approver"}, Subject: "alice"}
		keys := func(f models.NotificationFilter) string {
			items, _, unread, err := st.ListNotifications(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, n := range items {
				out = append(out, fmt.Sprintf("%s:%v", n.EventKey, n.Read))
			}
			return fmt.Sprintf("%v unread=%d", out, unread)
		}
		if got := keys(alice); got != "[n3:false n1:false] unread=2" {
			t.Errorf("alice = %s", got)
		}
		items, _, _, _ := st.ListNotifications(ctx, alice)
		if err := st.MarkNotificationRead(ctx, alice, items[1].ID); err != nil {
			t.Fatal(err)
		}
		if err := st.MarkNotificationRead(ctx, alice, items[1].ID); err != nil {
			t.Fatalf("marking twice: %v", err)
		}
		if got := keys(alice); got != "[n3:false n1:true] unread=1" {
			t.Errorf("alice after reading n1 = %s", got)
		}
		unreadOnly := alice
		unreadOnly.UnreadOnly = true
		if got := keys(unreadOnly); got != "[n3:false] unread=1" {
			t.Errorf("alice unread only = %s", got)
		}
		// bob, another approver of dept-a, has not read n1.
		bob := models.NotificationFilter{DepartmentID: "dept-a", Roles: []string{"approver"}, Subject: "bob"}
		if got := keys(bob); got != "[n1:false] unread=1" {
			t.Errorf("bob = %s", got)
		}
		all, _, _, _ := st.ListNotifications(ctx, models.NotificationFilter{DepartmentID: "dept-b", Roles: []string{"approver"}, Subject: "carol"})
		if err := st.MarkNotificationRead(ctx, bob, all[0].ID); err == nil {
			t.Error("bob marked another department's notification")
		}
	})
}
