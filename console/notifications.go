package console

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/datashare/datashare/api"
)

type notificationsData struct {
	Items      []api.NotificationView
	Unread     int64
	UnreadOnly bool
	Next       string
	First      string
	Return     string
}

// notifications lists the caller's notifications (通知), newest first, with a button to mark
// each read.
func (c *Console) notifications(r *req) {
	unreadOnly := r.Query("unread") == "true"
	cursor := r.Query("cursor")
	unread := ""
	if unreadOnly {
		unread = "true"
	}
	var list api.NotificationList
	if err := r.api.get(query("/api/v1/notifications", "unread", unread, "limit", strconv.Itoa(pageSize), "cursor", cursor), &list); err != nil {
		r.fail(err)
		return
	}
	d := notificationsData{Items: list.Items, Unread: list.Unread, UnreadOnly: unreadOnly, Return: r.Request.URL.RequestURI()}
	if list.NextCursor != "" {
		d.Next = query("/console/notifications", "unread", unread, "cursor", list.NextCursor)
	}
	if cursor != "" {
		d.First = query("/console/notifications", "unread", unread)
	}
	r.render(http.StatusOK, "notifications", "通知", d)
}

// readNotification marks one read and returns to the page the button was on.
func (c *Console) readNotification(r *req) {
	if err := r.api.call(http.MethodPost, "/api/v1/notifications/"+url.PathEscape(r.Param("id"))+"/read", nil, nil); err != nil {
		r.fail(err)
		return
	}
	r.redirect(safeReturn(r.Request.PostForm.Get("return")), "read")
}
