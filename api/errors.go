package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"
	"go.temporal.io/api/serviceerror"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
)

// Stable machine codes of the error envelope. Clients switch on these, so they never change.
const (
	CodeInvalidInput     = "invalid_input"
	CodeInvalidJSON      = "invalid_json"
	CodeBodyTooLarge     = "body_too_large"
	CodeUnauthenticated  = "unauthenticated"
	CodeForbidden        = "forbidden"
	CodeNotFound         = "not_found"
	CodeRouteNotFound    = "route_not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeConflict         = "conflict"
	CodeInvalidState     = "invalid_state"
	CodeRuleViolated     = "rule_violated"
	// CodeProcedureNotInProfile (422): the jurisdiction profile in force does not provide for
	// the procedure; the message names the profile.
	CodeProcedureNotInProfile = "procedure_not_in_profile"
	CodeUnavailable           = "unavailable"
	CodeInternal              = "internal"

	// CodeUnsupportedMediaType (415): a request body sent as anything but
	// Content-Type: application/json (docs/api.md).
	CodeUnsupportedMediaType = "unsupported_media_type"

	// CodeIdempotencyKeyReused (422): the Idempotency-Key was used before for another request.
	CodeIdempotencyKeyReused = "idempotency_key_reused"
	// CodeIdempotencyKeyInProgress (409): a request with the same Idempotency-Key is still
	// running; retrying shortly returns its answer.
	CodeIdempotencyKeyInProgress = "idempotency_key_in_progress"
)

// Error is an API error: an HTTP status, a machine code, a human message and, for bad input,
// a message per offending field (JSON names).
type Error struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ErrorBody is the one error envelope of the API.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of the envelope.
type ErrorDetail struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

func invalid(message string, fields map[string]string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalidInput, Message: message, Fields: fields}
}

func invalidField(field, message string) *Error {
	return invalid(field+": "+message, map[string]string{field: message})
}

func forbidden(message string) *Error {
	return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: message}
}

func notFound(message string) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: message}
}

// ruleViolated (422) refuses well-formed input that a business rule forbids.
func ruleViolated(message string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: CodeRuleViolated, Message: message}
}

// procedureInProfile refuses a procedure the profile in force does not provide for (an
// open-data request under ningxia, say) with 422 procedure_not_in_profile naming the profile.
func procedureInProfile(profile policy.Profile, procedure string) *Error {
	if pr, ok := profile.Procedure(procedure); ok && pr.Applies {
		return nil
	}
	return &Error{Status: http.StatusUnprocessableEntity, Code: CodeProcedureNotInProfile,
		Message: fmt.Sprintf("the %s procedure is not in the jurisdiction profile %s in force (DATASHARE_PROFILE)", procedure, profile.ID)}
}

// toAPIError maps every error category to its status in one place.
func toAPIError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return invalid(fieldsMessage(ve.Fields), ve.Fields)
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeBodyTooLarge, Message: fmt.Sprintf("request body is larger than %d bytes", mbe.Limit)}
	case errors.Is(err, auth.ErrUnauthenticated):
		return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthenticated, Message: "a valid bearer token is required"}
	case errors.Is(err, models.ErrNotFound):
		return notFound(lastPart(err))
	case errors.Is(err, models.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: CodeConflict, Message: lastPart(err)}
	case errors.Is(err, models.ErrInvalidState):
		return &Error{Status: http.StatusConflict, Code: CodeInvalidState, Message: lastPart(err)}
	case errors.Is(err, models.ErrInvalid):
		return invalid(lastPart(err), nil)
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "a dependency did not answer in time"}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return notFound("workflow not found")
	}
	var as *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &as) {
		return &Error{Status: http.StatusConflict, Code: CodeConflict, Message: "already started"}
	}
	var un *serviceerror.Unavailable
	if errors.As(err, &un) {
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "workflow service unavailable"}
	}
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error"}
}

// lastPart keeps the message users should see: the store wraps with context for logs
// ("update catalog resource 7: resource is published, not draft: invalid state"), the API
// shows the part before the sentinel.
func lastPart(err error) string {
	msg := err.Error()
	for _, s := range []error{models.ErrNotFound, models.ErrConflict, models.ErrInvalidState, models.ErrInvalid} {
		msg = strings.TrimSuffix(msg, ": "+s.Error())
	}
	return msg
}

func fieldsMessage(fields map[string]string) string {
	parts := make([]string, 0, len(fields))
	for _, k := range sortedKeys(fields) {
		parts = append(parts, k+": "+fields[k])
	}
	return strings.Join(parts, "; ")
}

// abort writes the envelope once and stops the chain; 5xx are logged with their cause.
func abort(c *gin.Context, err error) {
	ae := toAPIError(err)
	if ae.Status >= 500 {
		_ = c.Error(err)
	}
	c.AbortWithStatusJSON(ae.Status, ErrorBody{Error: ErrorDetail{
		Code: ae.Code, Message: ae.Message, Fields: ae.Fields, RequestID: requestID(c),
	}})
}

// bindJSON decodes the body strictly (unknown fields are refused, so a typo never passes
// silently) and runs the binding validation, naming each bad field by its JSON name.
func bindJSON(c *gin.Context, dst any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if _, ok := dst.(optionalBody); !ok || !errors.Is(err, io.EOF) {
			return jsonError(err)
		}
	}
	if err := endOfBody(dec); err != nil {
		return err
	}
	// A form trims its text before the rules run: blank text is no purpose.
	if n, ok := dst.(interface{ Normalize() }); ok {
		n.Normalize()
	}
	if err := validate.Struct(dst); err != nil {
		return validationError(err)
	}
	if field, msg := controlCharacters(reflect.ValueOf(dst), ""); field != "" {
		return invalidField(field, msg)
	}
	return nil
}

// endOfBody refuses anything but white space after the body's one JSON value: a second value,
// and also a stray closing bracket, which Decoder.More does not report.
func endOfBody(dec *json.Decoder) error {
	_, err := dec.Token()
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case errors.As(err, &mbe):
		return err
	}
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON, Message: "body must hold one JSON object and nothing after it"}
}

// controlCharacters finds the first text of a decoded body, at any depth, that holds a
// control character (NUL, escape sequences …): no route stores or forwards such text. Text is
// one line unless its field is tagged text:"multiline" — names, ids, codes, scopes, citations
// refuse tab and line breaks too; the long free text of purposes, reasons, comments and
// descriptions keeps them. It returns the field's JSON path and the message, "" when none.
func controlCharacters(v reflect.Value, path string) (string, string) {
	return textCharacters(v, path, false)
}

// textTag marks the fields of request DTOs whose text may span lines: text:"multiline".
const textTag = "text"

func textCharacters(v reflect.Value, path string, multiline bool) (string, string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", ""
		}
		return textCharacters(v.Elem(), path, multiline)
	case reflect.String:
		if msg := textRule(v.String(), multiline); msg != "" {
			return path, msg
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			// As encoding/json: exported fields, and the fields of an embedded struct.
			if !f.IsExported() && !(f.Anonymous && f.Type.Kind() == reflect.Struct) {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			sub := name
			if f.Anonymous && f.Tag.Get("json") == "" {
				sub = path // an embedded struct's fields are the outer object's
			} else if path != "" {
				sub = path + "." + name
			}
			if p, m := textCharacters(v.Field(i), sub, f.Tag.Get(textTag) == "multiline"); p != "" {
				return p, m
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "", "" // raw bytes (json.RawMessage) are checked where they are decoded
		}
		for i := range v.Len() {
			if p, m := textCharacters(v.Index(i), fmt.Sprintf("%s[%d]", path, i), multiline); p != "" {
				return p, m
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := fmt.Sprint(iter.Key())
			sub := k
			if path != "" {
				sub = path + "." + k
			}
			if p, m := textCharacters(iter.Value(), sub, multiline); p != "" {
				return p, m
			}
		}
	}
	return "", ""
}

// textRule says what is wrong with the characters of a text, "" when nothing is: no control
// character in any text, and in one-line text neither tab nor line breaks (nor the Unicode
// line and paragraph separators).
func textRule(s string, multiline bool) string {
	if multiline {
		if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }) >= 0 {
			return "must not contain control characters"
		}
		return ""
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) >= 0 {
		return "must be one line: no tab, line break or other control character"
	}
	return ""
}

// optionalBody marks DTOs whose body may be left out entirely.
type optionalBody interface{ optionalBody() }

func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON, Message: "request body is empty; a JSON object is required"}
	case errors.As(err, &se):
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON, Message: fmt.Sprintf("malformed JSON at byte %d", se.Offset)}
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON, Message: "body must be a JSON object"}
		}
		return invalidField(field, "must be a "+jsonKind(te.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json quotes the name as Go does; the error names it as the body does.
		quoted := strings.TrimPrefix(err.Error(), "json: unknown field ")
		field, uerr := strconv.Unquote(quoted)
		if uerr != nil {
			field = quoted
		}
		return invalidField(echoName(field), "unknown field")
	}
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON, Message: "malformed JSON: " + err.Error()}
}

// maxEchoedName bounds the name of a body member an error repeats.
const maxEchoedName = 64

// echoName is a member name of a body as an error may repeat it: as sent when it is one line
// of at most maxEchoedName characters; otherwise its start, with control characters replaced,
// and an ellipsis, so that an error never carries megabytes or escape sequences back. The
// empty name is "(empty)".
func echoName(name string) string {
	if name == "" {
		return "(empty)"
	}
	if utf8.RuneCountInString(name) <= maxEchoedName && textRule(name, false) == "" {
		return name
	}
	var b strings.Builder
	for i, r := range []rune(strings.ToValidUTF8(name, "\uFFFD")) {
		if i == maxEchoedName/2 {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "number"
	case k == "slice", k == "array":
		return "list"
	case k == "struct", k == "map":
		return "object"
	}
	return k
}

func validationError(err error) error {
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return invalid(err.Error(), nil)
	}
	fields := map[string]string{}
	for _, fe := range ves {
		fields[jsonFieldPath(fe)] = ruleMessage(fe)
	}
	return invalid(fieldsMessage(fields), fields)
}

// jsonFieldPath drops the struct name from the validator's namespace; names are JSON names
// because the validator is told to use json tags.
func jsonFieldPath(fe validator.FieldError) string {
	ns := strings.ReplaceAll(fe.Namespace(), "."+embeddedField+".", ".")
	if i := strings.IndexByte(ns, '.'); i >= 0 {
		return ns[i+1:]
	}
	return fe.Field()
}

func ruleMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "max":
		switch fe.Kind() {
		case reflect.String:
			return "must be at most " + fe.Param() + " characters"
		case reflect.Slice, reflect.Array, reflect.Map:
			return "must have at most " + fe.Param() + " items"
		}
		return "must be at most " + fe.Param()
	case "min":
		switch fe.Kind() {
		case reflect.String:
			return "must be at least " + fe.Param() + " characters"
		case reflect.Slice, reflect.Array, reflect.Map:
			return "must have at least " + fe.Param() + " items"
		}
		return "must be at least " + fe.Param()
	case "gte":
		return "must be at least " + fe.Param()
	case "lte":
		return "must be at most " + fe.Param()
	case "code":
		return "must be 2-64 letters, digits, dots, dashes or underscores"
	}
	return "fails rule " + fe.Tag()
}
