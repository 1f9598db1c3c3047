package prod

import (
	"testing"

	"github.com/datashare/datashare/internal/e2e"
)

// TestProcedures takes one case of every procedure through the production topology: a share
// request created through API 1 and decided through API 2, the others alternating between
// them; each found in Temporal by its search attributes and in the MariaDB read model.
func TestProcedures(t *testing.T) {
	s := needStack(t)
	e2e.Procedures(t, e2e.Stack{
		API1:     s.vars["DATASHARE_API_1"],
		API2:     s.vars["DATASHARE_API_2"],
		Tokens:   s.tokens(),
		Temporal: s.tc,
		DB:       s.db,
	})
}
