package console

import (
	"fmt"
	"net/http"

	"github.com/datashare/datashare/api"
)

// boardData is the supervision board page: the API's board and its export links.
type boardData struct {
	Board     api.SupervisionBoard
	CSV, XLSX string
	// AnnualRound: the profile provides for annual reports; the board links their round's form.
	AnnualRound bool
}

// board is the data authority's supervision board (督办看板): every department's open,
// near-due and overdue work now, and its handling over a period, as the API computes them.
func (c *Console) board(r *req) {
	var b api.SupervisionBoard
	if err := r.api.get(query("/api/v1/supervision/board", "from", r.Query("from"), "to", r.Query("to")), &b); err != nil {
		r.fail(err)
		return
	}
	export := func(format string) string {
		return query("/console/board/export", "format", format, "from", b.From, "to", b.To)
	}
	r.render(http.StatusOK, "board", "督办看板", boardData{Board: b, CSV: export("csv"), XLSX: export("xlsx"),
		AnnualRound: applies(c.profile(r.api), "annual_report")})
}

// boardExport hands the browser the API's export (CSV or Excel) as the attachment it is.
func (c *Console) boardExport(r *req) {
	rec, err := r.api.raw(query("/api/v1/supervision/board", "format", r.Query("format"), "from", r.Query("from"), "to", r.Query("to")))
	if err != nil {
		r.fail(err)
		return
	}
	for _, h := range []string{"Content-Type", "Content-Disposition"} {
		if v := rec.header.Get(h); v != "" {
			r.Writer.Header().Set(h, v)
		}
	}
	r.Data(http.StatusOK, rec.header.Get("Content-Type"), rec.body.Bytes())
}

// percent shows a fraction (0.25) as a percentage (25.0%), "—" when there is none.
func percent(f *float64) string {
	if f == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", *f*100)
}

// workdays shows a number of working days with one decimal, "—" when there is none.
func workdays(f *float64) string {
	if f == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f", *f)
}
