// Command genpdf renders generated reports (internal/fixture) to PDF the
// two ways reports are published: a Word-like export by LibreOffice Writer
// and a browser print by headless Chromium, in both templates, with long
// labels wrapping in narrow columns and table 三 running over a page break.
// Each PDF is written to testdata/pdf/generated with <name>.expected.json
// (what a correct parser reads). It is deterministic in its inputs (fixed
// seeds); the PDF bytes depend on the installed renderers, so the PDFs are
// committed and tests never run the renderers. Run from the module root:
//
//	apt-get install chromium libreoffice-writer-nogui fonts-noto-cjk
//	go run ./testdata/genpdf
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/fixture"
)

func main() {
	out := flag.String("out", "testdata/pdf/generated", "output folder (its PDFs and JSON are replaced)")
	per := flag.Int("n", 4, "documents per renderer and template")
	flag.Parse()
	if err := run(*out, *per); err != nil {
		fmt.Fprintln(os.Stderr, "genpdf:", err)
		os.Exit(1)
	}
}

type job struct {
	name       string
	renderer   string // "chromium" or "libreoffice"
	font       string
	borderless bool // tables without ruling lines: only text alignment tells the columns
	spec       fixture.Spec
	style      fixture.HTMLStyle
}

func plan(per int) []job {
	var jobs []job
	fonts := []string{"Noto Serif CJK SC", "Noto Sans CJK SC"}
	for ri, renderer := range []string{"chromium", "libreoffice"} {
		for ti, tmpl := range []nianbao.Template{nianbao.Template2019, nianbao.Template2021} {
			for k := 0; k < per; k++ {
				rng := rand.New(rand.NewPCG(2026, uint64(ri*1000+ti*100+k)))
				spec := fixture.Random(rng, tmpl)
				st := fixture.RandomHTMLStyle(rng)
				// A document exported to PDF: one table element per table,
				// merged cells as spans, no page furniture of a web site.
				st.Encoding, st.Meta, st.MetaHTTPEquiv = "utf-8", "match", false
				st.Markup, st.Layout, st.SplitNumbers, st.Spans, st.Split = "plain", "bare", false, true, nil
				st.TitleSuffix, st.Headings = false, "p"
				if st.Blank == "&nbsp;" {
					st.Blank = ""
				}
				jobs = append(jobs, job{
					name:     fmt.Sprintf("%s-%s-%02d", renderer, tmpl, k+1),
					renderer: renderer, font: fonts[k%2], spec: spec, style: st,
				})
			}
		}
	}
	// Borderless tables, printed by Chromium: no ruling lines at all.
	for ti, tmpl := range []nianbao.Template{nianbao.Template2019, nianbao.Template2021} {
		rng := rand.New(rand.NewPCG(2026, uint64(9000+ti)))
		spec := fixture.Random(rng, tmpl)
		st := fixture.RandomHTMLStyle(rng)
		st.Encoding, st.Meta, st.MetaHTTPEquiv = "utf-8", "match", false
		st.Markup, st.Layout, st.SplitNumbers, st.Spans, st.Split = "plain", "bare", false, true, nil
		st.TitleSuffix, st.Headings, st.Blank = false, "p", "-"
		st.T3Header, st.T3LabelCols, st.T4Rows = "flat", 1, true
		jobs = append(jobs, job{name: fmt.Sprintf("borderless-%s-01", tmpl), renderer: "chromium",
			font: fonts[ti], spec: spec, style: st, borderless: true})
	}
	return jobs
}

// printCSS makes the page look like a Word report: A4, 12–13 pt type, ruled
// table with padding, the label columns narrow so long labels wrap.
func printCSS(font string, k int) string {
	size := []string{"12pt", "13pt"}[k%2]
	return fmt.Sprintf(`<style>
@page { size: A4; margin: 2.5cm 2cm; }
body { font-family: "%[1]s"; font-size: %[2]s; line-height: 1.6; }
p { text-indent: 2em; margin: 0; text-align: justify; }
table { border-collapse: collapse; width: 100%%; margin: 6pt 0; }
td, th { border: 0.75pt solid #000; padding: 5pt 3pt; font-size: 10.5pt; font-family: "%[1]s"; }
td:first-child { width: 22%%; }
</style>
`, font, size)
}

func run(out string, per int) error {
	for _, bin := range []string{"chromium", "soffice"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("%s not installed: %w", bin, err)
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(out, "*"))
	for _, f := range old {
		if strings.HasSuffix(f, ".pdf") || strings.HasSuffix(f, ".json") {
			os.Remove(f)
		}
	}
	work, err := os.MkdirTemp("", "genpdf-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	var total int64
	for i, j := range plan(per) {
		page := string(fixture.HTML(j.spec, j.style))
		css := printCSS(j.font, i)
		if j.borderless {
			css = strings.Replace(css, "border: 0.75pt solid #000;", "border: none;", 1)
		}
		page = strings.Replace(page, "</head>", css+"</head>", 1)
		src := filepath.Join(work, j.name+".html")
		if err := os.WriteFile(src, []byte(page), 0o644); err != nil {
			return err
		}
		dst := filepath.Join(out, j.name+".pdf")
		if err := render(j.renderer, work, src, dst); err != nil {
			return fmt.Errorf("%s: %w", j.name, err)
		}
		exp := fixture.Expect(j.spec)
		exp.Name, exp.File, exp.Format, exp.Encoding = j.name, j.name+".pdf", nianbao.FormatPDF, "utf-8"
		exp.Style = map[string]any{"renderer": j.renderer, "font": j.font, "borderless": j.borderless, "html": j.style}
		js, err := json.MarshalIndent(exp, "", " ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, j.name+".expected.json"), append(js, '\n'), 0o644); err != nil {
			return err
		}
		fi, _ := os.Stat(dst)
		total += fi.Size()
		fmt.Fprintf(os.Stderr, "%s %d bytes\n", dst, fi.Size())
	}
	fmt.Fprintf(os.Stderr, "total %d bytes\n", total)
	return nil
}

func render(renderer, work, src, dst string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	switch renderer {
	case "chromium":
		profile, err := os.MkdirTemp(work, "chromium-profile-")
		if err != nil {
			return err
		}
		cmd = exec.CommandContext(ctx, "chromium", "--headless", "--no-sandbox", "--disable-gpu",
			"--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync",
			"--user-data-dir="+profile, "--no-pdf-header-footer", "--print-to-pdf="+dst, "file://"+src)
	case "libreoffice":
		profile := filepath.Join(work, "lo-profile")
		outdir := filepath.Join(work, "lo-out")
		cmd = exec.CommandContext(ctx, "soffice", "--headless", "--norestore", "-env:UserInstallation=file://"+profile,
			"--convert-to", "pdf:writer_web_pdf_Export", "--outdir", outdir, src)
		defer func() {
			os.Rename(filepath.Join(outdir, strings.TrimSuffix(filepath.Base(src), ".html")+".pdf"), dst)
		}()
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v: %s", renderer, err, out)
	}
	return nil
}
