package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/models"
)

// NotificationStore keeps the notifications (通知) workers derive from the timeline.
type NotificationStore interface {
	ListNotifications(ctx context.Context, f models.NotificationFilter) ([]models.NotificationItem, string, int64, error)
	MarkNotificationRead(ctx context.Context, f models.NotificationFilter, id int64) error
}

// notificationHandlers serve a person's notifications: those to its department in one of its
// roles, and those to it by name.
type notificationHandlers struct {
	store NotificationStore
}

// NotificationView is one notification.
type NotificationView struct {
	ID int64  `json:"id"`
	At string `json:"at"`
	// Kind is the timeline kind (task_opened, reminded, overdue, urged, proposed,
	// extension_approved, granted, open_data_approved, open_catalog_disagreed, …) or a side
	// task's (supervision, extension).
	Kind string `json:"kind"`
	// Text is one line naming the case — procedure, request id, resource, department — and,
	// for a task, its step and deadline.
	Text      string  `json:"text"`
	Procedure string  `json:"procedure,omitempty"`
	Step      string  `json:"step,omitempty"`
	TaskID    string  `json:"task_id,omitempty"` // URL-safe, as TaskView.ID
	RequestID string  `json:"request_id,omitempty"`
	DueAt     *string `json:"due_at,omitempty"`
	Read      bool    `json:"read"`
}

// NotificationList is one page of notifications, newest first, and how many are unread.
type NotificationList struct {
	Items      []NotificationView `json:"items"`
	Unread     int64              `json:"unread"`
	NextCursor string             `json:"next_cursor,omitempty"`
}

func notificationFilter(c *gin.Context) models.NotificationFilter {
	p := mustPrincipal(c)
	a := actorOf(p)
	return models.NotificationFilter{DepartmentID: p.DepartmentID, Roles: a.Roles, Subject: p.Subject}
}

func (h notificationHandlers) list(c *gin.Context) {
	f := notificationFilter(c)
	q := queryErrors{}
	f.Limit = q.limit(c)
	if b := q.boolean(c, "unread"); b != nil {
		f.UnreadOnly = *b
	}
	if q.abortIfAny(c) {
		return
	}
	f.Cursor = c.Query("cursor")
	items, next, unread, err := h.store.ListNotifications(c.Request.Context(), f)
	if err != nil {
		abort(c, err)
		return
	}
	out := NotificationList{Items: make([]NotificationView, 0, len(items)), Unread: unread, NextCursor: next}
	for _, n := range items {
		out.Items = append(out.Items, NotificationView{ID: n.ID, At: formatTime(n.At), Kind: n.Kind, Text: n.Text,
			Procedure: n.Procedure, Step: n.Step, TaskID: publicTaskID(n.TaskID), RequestID: n.RequestID, DueAt: formatTimePtr(n.DueAt), Read: n.Read})
	}
	c.JSON(http.StatusOK, out)
}

func (h notificationHandlers) read(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		abort(c, invalidField("id", "must be a notification id"))
		return
	}
	if err := h.store.MarkNotificationRead(c.Request.Context(), notificationFilter(c), id); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			err = notFound("notification " + c.Param("id") + " not found")
		}
		abort(c, err)
		return
	}
	c.JSON(http.StatusOK, NotificationReadView{ID: id, Read: true})
}

// NotificationReadView confirms a notification is marked read for the caller.
type NotificationReadView struct {
	ID   int64 `json:"id"`
	Read bool  `json:"read"`
}
