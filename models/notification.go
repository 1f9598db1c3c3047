package models

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Notification is a message to a department's role or to a person (通知): a new task, a
// reminder, an overdue notice, an urge, a decision. Rows are only inserted; who has read one
// is kept per person in notification_reads.
type Notification struct {
	ID int64 `gorm:"column:id;primaryKey;autoIncrement"`
	// EventKey is the timeline event and the recipient, so a retried write is a no-op.
	EventKey string    `gorm:"column:event_key"`
	At       time.Time `gorm:"column:at"`
	// DepartmentID and Role address everyone of the role in the department; Subject a person.
	DepartmentID string     `gorm:"column:department_id"`
	Role         string     `gorm:"column:role"`
	Subject      string     `gorm:"column:subject"`
	Kind         string     `gorm:"column:kind"`
	Procedure    string     `gorm:"column:procedure"`
	Step         string     `gorm:"column:step"`
	TaskID       string     `gorm:"column:task_id"`
	RequestID    string     `gorm:"column:request_id"`
	Text         string     `gorm:"column:text"`
	DueAt        *time.Time `gorm:"column:due_at"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (Notification) TableName() string { return "notifications" }

// NotificationRead records that a person has read a notification.
type NotificationRead struct {
	NotificationID int64     `gorm:"column:notification_id;primaryKey"`
	Subject        string    `gorm:"column:subject;primaryKey"`
	ReadAt         time.Time `gorm:"column:read_at"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (NotificationRead) TableName() string { return "notification_reads" }

// AppendNotification inserts n; inserted is false when its EventKey is already there.
func (s *Store) AppendNotification(ctx context.Context, n Notification) (inserted bool, err error) {
	f := map[string]string{}
	checkText(f, "event_key", n.EventKey, 400, true)
	checkText(f, "kind", n.Kind, 32, true)
	if n.Subject == "" && (n.DepartmentID == "" || n.Role == "") {
		f["department_id"] = "须指明部门和角色，或指明个人"
	}
	if len(f) > 0 {
		return false, fmt.Errorf("append notification %q: %w", n.EventKey, &ValidationError{Fields: f})
	}
	n.ID = 0
	n.At, n.DueAt = dbTime(n.At), dbTimePtr(n.DueAt)
	err = s.db.WithContext(ctx).Create(&n).Error
	switch {
	case err == nil:
		return true, nil
	case isDuplicateKey(err):
		return false, nil
	default:
		return false, dbError(err, "append notification %q", n.EventKey)
	}
}

// NotificationFilter selects a person's notifications: those to its department in one of its
// roles, and those to it by name.
type NotificationFilter struct {
	DepartmentID string
	Roles        []string
	Subject      string
	UnreadOnly   bool
	Limit        int
	Cursor       string
}

// NotificationItem is a notification and whether the person has read it.
type NotificationItem struct {
	Notification
	Read bool
}

const notificationCursorPrefix = "notification:"

func (s *Store) notificationScope(ctx context.Context, f NotificationFilter) *gorm.DB {
	who := []clause.Expression{clause.Eq{Column: clause.Column{Name: "subject"}, Value: f.Subject}}
	if f.DepartmentID != "" && len(f.Roles) > 0 {
		who = append(who, clause.And(
			clause.Eq{Column: clause.Column{Name: "department_id"}, Value: f.DepartmentID},
			clause.IN{Column: clause.Column{Name: "role"}, Values: toAnys(f.Roles)},
		))
	}
	return s.db.WithContext(ctx).Model(&Notification{}).Where(clause.Or(who...))
}

// ListNotifications returns one page of f's notifications, newest first, the cursor of the
// next page, and how many of all of them are unread.
func (s *Store) ListNotifications(ctx context.Context, f NotificationFilter) (items []NotificationItem, next string, unread int64, err error) {
	if f.Subject == "" {
		return []NotificationItem{}, "", 0, nil
	}
	after, ok := decodeIDCursor(notificationCursorPrefix, f.Cursor)
	var afterID int64
	if ok && after != "" {
		afterID, err = strconv.ParseInt(after, 10, 64)
		ok = err == nil
	}
	if !ok {
		return nil, "", 0, fmt.Errorf("list notifications: %w", &ValidationError{Fields: map[string]string{"cursor": "无效的分页游标"}})
	}
	readIDs := s.db.Model(&NotificationRead{}).Select("notification_id").Where("subject = ?", f.Subject)
	if err := s.notificationScope(ctx, f).Where("id NOT IN (?)", readIDs).Count(&unread).Error; err != nil {
		return nil, "", 0, dbError(err, "count unread notifications of %q", f.Subject)
	}
	q := s.notificationScope(ctx, f)
	if f.UnreadOnly {
		q = q.Where("id NOT IN (?)", readIDs)
	}
	if afterID > 0 {
		q = q.Where("id < ?", afterID)
	}
	page, next, err := pageByID(q, f.Limit, notificationCursorPrefix, func(n Notification) string { return strconv.FormatInt(n.ID, 10) }, "list notifications")
	if err != nil {
		return nil, "", 0, err
	}
	ids := make([]int64, len(page))
	for i, n := range page {
		ids[i] = n.ID
	}
	var reads []NotificationRead
	if len(ids) > 0 {
		if err := s.db.WithContext(ctx).Where("subject = ? AND notification_id IN ?", f.Subject, ids).Find(&reads).Error; err != nil {
			return nil, "", 0, dbError(err, "read marks of %q", f.Subject)
		}
	}
	read := map[int64]bool{}
	for _, r := range reads {
		read[r.NotificationID] = true
	}
	items = make([]NotificationItem, len(page))
	for i, n := range page {
		items[i] = NotificationItem{Notification: n, Read: read[n.ID]}
	}
	return items, next, unread, nil
}

// MarkNotificationRead records that the person of f has read notification id; a notification
// not addressed to it is ErrNotFound. Marking twice is not an error.
func (s *Store) MarkNotificationRead(ctx context.Context, f NotificationFilter, id int64) error {
	var n int64
	if err := s.notificationScope(ctx, f).Where("id = ?", id).Count(&n).Error; err != nil {
		return dbError(err, "look up notification %d", id)
	}
	if n == 0 {
		return fmt.Errorf("notification %d: %w", id, ErrNotFound)
	}
	err := s.db.WithContext(ctx).Create(&NotificationRead{NotificationID: id, Subject: f.Subject, ReadAt: now()}).Error
	if err != nil && !isDuplicateKey(err) {
		return dbError(err, "mark notification %d read", id)
	}
	return nil
}
