package pipeline

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
)

// TestBadInput: documents that are not readable reports get a clear status
// and reason, never a panic and never cells.
func TestBadInput(t *testing.T) {
	cases := []struct {
		file   string
		status nianbao.Status
		reason string // in Reason or Error
	}{
		{"empty.txt", nianbao.StatusError, "empty document"},
		{"garbage.bin", nianbao.StatusError, "binary data"},
		{"garbage.html", nianbao.StatusError, "binary data"},
		{"no-tables.html", nianbao.StatusUnsupported, "no report tables found"},
		{"pre2019-2017.html", nianbao.StatusUnsupported, "pre-2019"},
		{"image-tables.html", nianbao.StatusUnsupported, "图片版"},
		{"scan.png", nianbao.StatusNeedsOCR, "image"},
		{"does-not-exist.html", nianbao.StatusError, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			rep := ReadFile(context.Background(), filepath.Join("..", "testdata", "bad", c.file), Options{})
			if rep.Status != c.status {
				t.Errorf("status %q, want %q (reason %q, error %q)", rep.Status, c.status, rep.Reason, rep.Error)
			}
			if msg := rep.Reason + rep.Error; !strings.Contains(msg, c.reason) {
				t.Errorf("reason %q, want it to say %q", msg, c.reason)
			}
			if len(rep.Cells) != 0 {
				t.Errorf("%d cells on a document that is not a report", len(rep.Cells))
			}
		})
	}
	pre := ReadFile(context.Background(), filepath.Join("..", "testdata", "bad", "pre2019-2017.html"), Options{})
	if pre.Template != nianbao.TemplatePre2019 || pre.Year != 2017 || pre.Agency != "某县人民政府" {
		t.Errorf("pre-2019 report: template %q year %d agency %q", pre.Template, pre.Year, pre.Agency)
	}
}
