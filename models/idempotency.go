package models

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// MaxIdempotencyKeyLength bounds an Idempotency-Key, in bytes (the key is ASCII).
const MaxIdempotencyKeyLength = 128

// IdempotencyRecord is the stored answer to a create request sent with an Idempotency-Key
// (docs/api.md): a repeat of the same request by the same caller gets this answer
// instead of creating again. Keys are scoped to the caller, so (Subject, Key) is unique.
type IdempotencyRecord struct {
	Subject     string    `gorm:"column:subject;primaryKey"`  // token subject of the caller
	Key         string    `gorm:"column:idem_key;primaryKey"` // the Idempotency-Key header
	Method      string    `gorm:"column:method"`              // e.g. "POST"
	Route       string    `gorm:"column:route"`               // route template, e.g. "/api/v1/catalog/resources"
	RequestHash string    `gorm:"column:request_hash"`        // SHA-256 of the request body, lowercase hex
	Status      int       `gorm:"column:status"`              // HTTP status of the stored answer; IdempotencyPending while the request runs
	Body        string    `gorm:"column:response_body"`       // response body, replayed byte for byte
	CreatedAt   time.Time `gorm:"column:created_at;autoCreateTime:false"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (IdempotencyRecord) TableName() string { return "idempotency_keys" }

// IdempotencyPending is the Status of a key claimed by a request that is still running: a
// concurrent request with the same key must wait for its answer rather than create again.
const IdempotencyPending = 0

// Pending reports whether the record is a claim without an answer yet.
func (rec *IdempotencyRecord) Pending() bool { return rec.Status == IdempotencyPending }

// Validate returns invalid fields by column name; empty when rec can be stored.
func (rec *IdempotencyRecord) Validate() map[string]string {
	f := map[string]string{}
	checkText(f, "subject", rec.Subject, 128, true)
	switch {
	case rec.Key == "" || len(rec.Key) > MaxIdempotencyKeyLength:
		f["idem_key"] = fmt.Sprintf("须为 1-%d 个字符", MaxIdempotencyKeyLength)
	case !isPrintableASCII(rec.Key):
		f["idem_key"] = "只能包含可打印的 ASCII 字符"
	}
	checkText(f, "method", rec.Method, 16, true)
	checkText(f, "route", rec.Route, 255, true)
	if len(rec.RequestHash) != 64 || !isLowerHex(rec.RequestHash) {
		f["request_hash"] = "须为 SHA-256 的十六进制小写形式"
	}
	if rec.Status != IdempotencyPending && (rec.Status < 100 || rec.Status > 599) {
		f["status"] = "须为 HTTP 状态码"
	}
	// MySQL refuses invalid UTF-8 in a utf8mb4 column; SQLite would keep it.
	if !utf8.ValidString(rec.Body) {
		f["response_body"] = "不是有效的 UTF-8 文本"
	}
	return f
}

// GetIdempotencyRecord returns the answer stored for subject's key, or ErrNotFound.
func (s *Store) GetIdempotencyRecord(ctx context.Context, subject, key string) (*IdempotencyRecord, error) {
	var rec IdempotencyRecord
	err := s.db.WithContext(ctx).Where("subject = ? AND idem_key = ?", subject, key).Take(&rec).Error
	if err != nil {
		return nil, dbError(err, "load idempotency key %q of %q", key, subject)
	}
	return &rec, nil
}

// SaveIdempotencyRecord stores rec, stamped with the current time. A key the subject has
// already stored (a concurrent request with the same key won) is ErrConflict; stored answers
// are never replaced. Invalid fields are a *ValidationError.
func (s *Store) SaveIdempotencyRecord(ctx context.Context, rec *IdempotencyRecord) error {
	if f := rec.Validate(); len(f) > 0 {
		return fmt.Errorf("save idempotency key %q of %q: %w", rec.Key, rec.Subject, &ValidationError{Fields: f})
	}
	rec.CreatedAt = now()
	if err := s.db.WithContext(ctx).Create(rec).Error; err != nil {
		return dbError(err, "save idempotency key %q of %q", rec.Key, rec.Subject)
	}
	return nil
}

// ClaimIdempotencyKey records that a request with rec's key has started (Status
// IdempotencyPending, no answer yet), before it creates anything. The insert is the lock: a
// key already claimed or answered is ErrConflict, and the caller looks at the stored record.
// On success rec.CreatedAt is the claim's time as stored: the API derives the id of what the
// request creates from it, and a retry reading the claim back must derive the same id.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, rec *IdempotencyRecord) error {
	claim := *rec
	claim.Status, claim.Body = IdempotencyPending, ""
	if err := s.SaveIdempotencyRecord(ctx, &claim); err != nil {
		return err
	}
	rec.CreatedAt = claim.CreatedAt
	return nil
}

// CompleteIdempotencyKey stores the answer of the request that claimed the key. It is
// ErrNotFound when there is no pending claim of the key (it was released or taken over).
func (s *Store) CompleteIdempotencyKey(ctx context.Context, rec *IdempotencyRecord) error {
	if f := rec.Validate(); len(f) > 0 || rec.Pending() {
		if rec.Pending() {
			f["status"] = "须为 HTTP 状态码"
		}
		return fmt.Errorf("complete idempotency key %q of %q: %w", rec.Key, rec.Subject, &ValidationError{Fields: f})
	}
	res := s.db.WithContext(ctx).Model(&IdempotencyRecord{}).
		Where("subject = ? AND idem_key = ? AND status = ?", rec.Subject, rec.Key, IdempotencyPending).
		UpdateColumns(map[string]any{"status": rec.Status, "response_body": rec.Body})
	if res.Error != nil {
		return dbError(res.Error, "complete idempotency key %q of %q", rec.Key, rec.Subject)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("complete idempotency key %q of %q: no pending claim: %w", rec.Key, rec.Subject, ErrNotFound)
	}
	return nil
}

// ReleaseIdempotencyKey removes a pending claim, so that the key can be used again: the
// request failed and created nothing, or its claim is abandoned (claimed before olderThan; the
// zero time releases any pending claim). A stored answer is never removed.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, subject, key string, olderThan time.Time) error {
	q := s.db.WithContext(ctx).Where("subject = ? AND idem_key = ? AND status = ?", subject, key, IdempotencyPending)
	if !olderThan.IsZero() {
		q = q.Where("created_at < ?", dbTime(olderThan))
	}
	if err := q.Delete(&IdempotencyRecord{}).Error; err != nil {
		return dbError(err, "release idempotency key %q of %q", key, subject)
	}
	return nil
}

// PurgeIdempotencyKeys deletes the keys stored before before, answered or not, and reports
// how many; a retry after that creates again. Safe to run from every API process at once.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("created_at < ?", dbTime(before)).Delete(&IdempotencyRecord{})
	if res.Error != nil {
		return 0, dbError(res.Error, "purge idempotency keys before %s", before.Format(time.RFC3339))
	}
	return res.RowsAffected, nil
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}
