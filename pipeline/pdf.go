package pipeline

import (
	"context"

	"github.com/nianbao/nianbao"
)

// readPDF reads a PDF report. Placeholder until extract/pdfdoc lands.
func readPDF(ctx context.Context, rep *nianbao.Report, data []byte, opt Options) {
	rep.Status = nianbao.StatusUnsupported
	rep.Reason = "PDF reading is not available yet"
}
