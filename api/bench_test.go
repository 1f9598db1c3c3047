package api

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/datashare/datashare/models/modelstest"
)

// Benchmarks of the API through the real router over a real SQLite file, token verification
// included. `go test -bench . -benchmem ./api/`; numbers are reported in docs/performance.md, never
// asserted.

func benchAPI(b *testing.B) *testAPI {
	return newTestAPI(b, modelstest.NewSQLite(b))
}

func benchGet(b *testing.B, ta *testAPI, path, token string) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		ta.handler.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkGetMe(b *testing.B) {
	ta := benchAPI(b)
	benchGet(b, ta, "/api/v1/me", ta.applicant())
}

func BenchmarkListCatalogPage(b *testing.B) {
	ta := benchAPI(b)
	owner := ta.providerApprover()
	for i := 0; i < 200; i++ {
		r := ta.do("POST", "/api/v1/catalog/resources", owner, conditionalInput(fmt.Sprintf("NX-SCJG-B%03d", i)))
		if r.status != 201 {
			b.Fatalf("seed: %d %s", r.status, r.body)
		}
	}
	benchGet(b, ta, "/api/v1/catalog/resources?limit=20&status=draft", owner)
}

func BenchmarkCreateCatalogResource(b *testing.B) {
	ta := benchAPI(b)
	owner := ta.providerApprover()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := fmt.Sprintf(`{"code":"NX-BENCH-%d","name":"基准","format":"表","share_type":"unconditional","update_frequency":"每日","provision_method":"接口","open_type":"unconditional"}`, i)
		req := httptest.NewRequest("POST", "/api/v1/catalog/resources", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+owner)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		ta.handler.ServeHTTP(rec, req)
		if rec.Code != 201 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
