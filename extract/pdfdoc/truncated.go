package pdfdoc

import "bytes"

// Truncated says why a PDF is known to end early, or "": a file cut short
// loses its end, the cross-reference table and trailer closed by %%EOF (or
// those of its last incremental update, whose objects then follow the last
// %%EOF). The engines may still read the pages before the cut (pdfcpu
// rebuilds the cross-references, poppler reconstructs them), so a reading
// is kept and marked: what the cut took is named by the parser.
func Truncated(data []byte) string {
	e := bytes.LastIndex(data, []byte("%%EOF"))
	if e < 0 {
		return "the PDF ends without its trailer (%%EOF): the file was cut"
	}
	// Anything else after it (padding, a server's page) is no PDF.
	if rest := data[e+5:]; bytes.Contains(rest, []byte("endobj")) || bytes.Contains(rest, []byte("xref")) {
		return "the PDF's last update ends without its trailer (%%EOF): the file was cut"
	}
	return ""
}
