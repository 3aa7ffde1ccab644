package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract/pdfdoc"
	"github.com/nianbao/nianbao/internal/toolcheck"
)

// huaianBrokenRules is the Huaian report with one printed figure changed,
// t3.new.natural 3001 → 3002: a whole reading whose arithmetic breaks
// (t3.balance and t3.applicant_sum), as many real reports' does.
func huaianBrokenRules(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(pdfTestdata, "huaian-szf-2024.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	api.DisableConfigDir()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadContext(bytes.NewReader(data), conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := api.ValidateContext(ctx); err != nil {
		t.Fatal(err)
	}
	page, _, _, err := ctx.PageDict(4, false)
	if err != nil {
		t.Fatal(err)
	}
	ref, ok := page["Contents"].(types.IndirectRef)
	if !ok {
		t.Fatalf("page 4 contents %T", page["Contents"])
	}
	entry := ctx.XRefTable.Table[ref.ObjectNumber.Value()]
	sd, ok := entry.Object.(types.StreamDict)
	if !ok {
		t.Fatalf("page 4 contents object %T", entry.Object)
	}
	if err := sd.Decode(); err != nil {
		t.Fatal(err)
	}
	// 3001 in the first cell of table 三's 本年新收 row: glyphs 0x13–0x1C
	// of the font are the digits 0–9.
	old := []byte("260.28 471.29 Tm\r<0016>Tj 74.391 -0 TD<0013>Tj 74.391 -0 TD<0013>Tj 74.391 -0 TD<0014>Tj")
	if bytes.Count(sd.Content, old) != 1 {
		t.Fatal("the figure 3001 is not where it was on page 4")
	}
	sd.Content = bytes.Replace(sd.Content, old, bytes.Replace(old, []byte("<0014>Tj"), []byte("<0015>Tj"), 1), 1)
	if err := sd.Encode(); err != nil {
		t.Fatal(err)
	}
	entry.Object = sd
	var out bytes.Buffer
	if err := api.WriteContext(ctx, &out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestPDFEngineChain states, for every PDF sample, which engines ran and
// which reading was kept. A reading that misses a table, rows or columns
// lets the next engine run; a whole one stops the chain, even when the
// report's own arithmetic is broken.
func TestPDFEngineChain(t *testing.T) {
	file := func(path ...string) func(testing.TB) []byte {
		return func(t testing.TB) []byte {
			data, err := os.ReadFile(filepath.Join(path...))
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
	pdf := func(name string) func(testing.TB) []byte { return file(pdfTestdata, name) }
	truncated := func(t testing.TB) []byte { d := pdf("huaian-szf-2024.pdf")(t); return d[:len(d)/3] }
	type tools int
	const (
		all       tools = iota
		noPoppler       // pdftotext missing
		noOCR           // tesseract missing
	)
	type chainCase struct {
		name   string
		data   func(testing.TB) []byte
		tools  tools
		ran    string // the engines that ran, in order
		kept   string // the engine whose reading the report is; "" for none
		status nianbao.Status
	}
	cases := []chainCase{
		{"samples/huaian-szf-2024.pdf", file("..", "testdata", "samples", "huaian-szf-2024.pdf"), all, "ledongthuc", "ledongthuc", nianbao.StatusOK},
		{"huaian with broken rules", huaianBrokenRules, all, "ledongthuc", "ledongthuc", nianbao.StatusFindings},
		{"huaian without poppler", pdf("huaian-szf-2024.pdf"), noPoppler, "ledongthuc", "ledongthuc", nianbao.StatusOK},
		// Tables 二 and 四 are not printed: every engine is asked for them.
		{"table3_libreoffice.pdf", pdf("table3_libreoffice.pdf"), all, "ledongthuc pdftotext pdftotext-layout", "ledongthuc", nianbao.StatusFindings},
		{"table3_libreoffice_notoserif.pdf", pdf("table3_libreoffice_notoserif.pdf"), all, "ledongthuc pdftotext pdftotext-layout", "ledongthuc", nianbao.StatusFindings},
		{"table3_chromium.pdf", pdf("table3_chromium.pdf"), all, "ledongthuc pdftotext pdftotext-layout", "ledongthuc", nianbao.StatusFindings},
		{"table3_libreoffice.pdf without poppler", pdf("table3_libreoffice.pdf"), noPoppler, "ledongthuc pdftotext", "ledongthuc", nianbao.StatusFindings},
		{"encrypted_owner_only.pdf", pdf("encrypted_owner_only.pdf"), all, "ledongthuc pdfcpu+ledongthuc pdftotext pdftotext-layout", "pdfcpu+ledongthuc", nianbao.StatusFindings},
		{"encrypted_user_password.pdf", pdf("encrypted_user_password.pdf"), all, "ledongthuc pdfcpu pdftotext pdftotext-layout", "", nianbao.StatusError},
		{"truncated", truncated, all, "ledongthuc pdfcpu pdftotext pdftotext-layout", "", nianbao.StatusError},
		// A report of another kind: no engine finds its tables.
		{"stsong_predefined_cmaps.pdf", pdf("stsong_predefined_cmaps.pdf"), all, "ledongthuc pdftotext pdftotext-layout", "ledongthuc", nianbao.StatusUnsupported},
		// No text layer, so no layout text; then OCR. With Tesseract the
		// OCR reading is kept: TestPDFScannedOCR (~15 s) holds that.
		{"table3_scanned_imageonly.pdf without tesseract", pdf("table3_scanned_imageonly.pdf"), noOCR, "ledongthuc pdftotext ocr", "", nianbao.StatusNeedsOCR},
	}
	generated, _ := filepath.Glob(filepath.Join(pdfTestdata, "generated", "*.pdf"))
	for _, f := range generated {
		name := filepath.Base(f)
		if strings.HasPrefix(name, "borderless") {
			// No ruling lines: only the layout text has tables.
			cases = append(cases, chainCase{name, file(f), all, "ledongthuc pdftotext pdftotext-layout", "pdftotext-layout", nianbao.StatusOK})
			continue
		}
		cases = append(cases, chainCase{name, file(f), all, "ledongthuc", "ledongthuc", nianbao.StatusOK})
	}
	poppler := pdfdoc.PopplerAvailable(pdfOptions)
	saved := pdfOptions
	defer func() { pdfOptions = saved }()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pdfOptions = saved
			switch c.tools {
			case noPoppler:
				pdfOptions.Pdftotext = "/nonexistent/pdftotext"
			case noOCR:
				pdfOptions.Tesseract = "/nonexistent/tesseract"
			}
			if c.tools != noPoppler && !poppler {
				toolcheck.Skip(t, "pdftotext not installed")
			}
			rep := Read(context.Background(), c.name+".pdf", c.data(t), Options{})
			var ran []string
			kept := ""
			for i, e := range rep.Engines {
				ran = append(ran, e.Engine)
				if e.Kept {
					if kept != "" {
						t.Errorf("two readings kept: %s and %s", kept, e.Engine)
					}
					kept = e.Engine
				}
				// The chain goes on only after a failure or a reading that
				// misses something, and stops at a whole one.
				if i < len(rep.Engines)-1 && e.Error == "" && e.Incomplete == "" {
					t.Errorf("%s read the document whole, yet %s ran after it", e.Engine, rep.Engines[i+1].Engine)
				}
			}
			if got := strings.Join(ran, " "); got != c.ran || kept != c.kept || rep.Status != c.status {
				t.Errorf("ran %q, kept %q, status %s; want %q, %q, %s\n%+v", got, kept, rep.Status, c.ran, c.kept, c.status, rep.Engines)
			}
			for _, cell := range rep.Cells {
				if cell.Source != nil && cell.Source.Engine != kept {
					t.Errorf("%s read by %s, but the report is the reading of %s", cell.Key, cell.Source.Engine, kept)
					break
				}
			}
		})
	}
}

// The Huaian report with one figure changed reads as the original does,
// but for that figure and the two rules it breaks.
func TestPDFBrokenRulesNativeOnly(t *testing.T) {
	orig := readPDFFile(t, "huaian-szf-2024.pdf")
	rep := Read(context.Background(), "broken.pdf", huaianBrokenRules(t), Options{})
	var rules []string
	for _, f := range rep.Findings {
		rules = append(rules, f.Rule)
	}
	if got := strings.Join(rules, " "); got != "t3.balance t3.applicant_sum" {
		t.Errorf("findings %s, want t3.balance t3.applicant_sum: %+v", got, rep.Findings)
	}
	for _, c := range orig.Cells {
		want := *c.Value
		if c.Key == "t3.new.natural" {
			want = 3002
		}
		if v, ok := rep.Value(c.Key); !ok || v != want {
			t.Errorf("%s = %v, want %v", c.Key, v, want)
		}
	}
}

// BenchmarkReadPDFBrokenRules: a report whose only problem is its own
// arithmetic is read by the native engine alone (it ran every engine).
func BenchmarkReadPDFBrokenRules(b *testing.B) {
	data := huaianBrokenRules(b)
	b.ReportAllocs()
	for b.Loop() {
		if rep := Read(context.Background(), "broken.pdf", data, Options{}); rep.Status != nianbao.StatusFindings {
			b.Fatalf("status %s", rep.Status)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}
