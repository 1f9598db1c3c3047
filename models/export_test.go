package models

// MigrateUpTo lets the external tests build a schema of an older version.
var MigrateUpTo = migrateUpTo

// InboxCursorAfter is the cursor of the inbox page that starts after t.
func InboxCursorAfter(t Task) string { return encodeInboxCursor(t) }
