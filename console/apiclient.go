package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/datashare/datashare/api"
)

// API is the JSON API's handler (the gin engine api.NewRouter returns). The console calls it
// in process, with the session's bearer token, so authorization, validation and error
// messages stay the API's alone.
type API interface {
	ServeHTTP(http.ResponseWriter, *http.Request)
}

// apiError is a non-2xx answer of the API: its status and error envelope.
type apiError struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string
}

func (e *apiError) Error() string { return fmt.Sprintf("API %d %s: %s", e.Status, e.Code, e.Message) }

// errSignedOut is the API's 401: the token expired or is no longer accepted; the browser signs
// in again.
var errSignedOut = errors.New("the API no longer accepts the session's token")

// client calls the API for one browser request: with its context, the session's token and
// the console request's id, so that the API's access log ties every call to the page.
type apiClient struct {
	api       API
	ctx       context.Context
	token     string
	requestID string
	remote    string
}

// recorder is the in-memory response of one API call.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// call sends one request; body, when not nil, is sent as JSON. header adds request headers
// (an Idempotency-Key). A 2xx answer is decoded into out (when not nil); any other is an
// *apiError, or errSignedOut for 401.
func (cl apiClient) call(method, path string, body any, out any, header ...string) error {
	rec, err := cl.send(method, path, body, header...)
	if err != nil || out == nil {
		return err
	}
	if err := json.Unmarshal(rec.body.Bytes(), out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// send sends one request and returns a 2xx answer as it is (an export's bytes and headers);
// any other answer is an *apiError, or errSignedOut for 401.
func (cl apiClient) send(method, path string, body any, header ...string) (*recorder, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(cl.ctx, method, path, rd)
	if err != nil {
		return nil, err
	}
	req.RemoteAddr = cl.remote
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cl.token != "" {
		req.Header.Set("Authorization", "Bearer "+cl.token)
	}
	if cl.requestID != "" {
		req.Header.Set(api.HeaderRequestID, cl.requestID)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := &recorder{header: http.Header{}}
	cl.api.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status >= 200 && rec.status < 300 {
		return rec, nil
	}
	if rec.status == http.StatusUnauthorized {
		return nil, errSignedOut
	}
	var env api.ErrorBody
	_ = json.Unmarshal(rec.body.Bytes(), &env)
	e := &apiError{Status: rec.status, Code: env.Error.Code, Message: env.Error.Message, Fields: env.Error.Fields}
	if e.Message == "" {
		e.Message = strings.TrimSpace(http.StatusText(rec.status))
	}
	return nil, e
}

func (cl apiClient) get(path string, out any) error { return cl.call(http.MethodGet, path, nil, out) }

// raw GETs path and returns the answer as it is, for a download.
func (cl apiClient) raw(path string) (*recorder, error) {
	return cl.send(http.MethodGet, path, nil, "Accept", "*/*")
}

// query builds "path?k=v&…" from pairs, leaving out empty values.
func query(path string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// asAPIError unwraps an *apiError.
func asAPIError(err error) (*apiError, bool) {
	var e *apiError
	ok := errors.As(err, &e)
	return e, ok
}
