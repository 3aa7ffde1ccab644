package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"
	"strings"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/ingest"
	"github.com/nianbao/nianbao/pipeline"
)

func init() {
	register(command{Name: "parse", Summary: "read report files and print their figures (JSON Lines with --json)", Run: runParse,
		GC: readGC})
}

func runParse(ctx context.Context, env *Env, args []string) error {
	fl := newFlags("parse", "usage: nianbao parse [--json [--provenance] [--sections]] FILE|DIR...\n\n"+
		"Reads report files (folders recursively, in lexical order) and prints what was read:\n"+
		"a summary per document, or with --json one JSON object per document per line.")
	asJSON := fl.Bool("json", false, "print one JSON object per document per line (JSON Lines)")
	prov := fl.Bool("provenance", false, "with --json: add where each cell was printed (table, row, column, raw text; page and box for PDF)")
	sections := fl.Bool("sections", false, "with --json: add the prose of sections 一, 五, 六")
	workers := fl.Int("j", runtime.GOMAXPROCS(0), "`N` documents parsed at once (default: the number of cores)")
	maxSize := fl.String("max-size", "64MB", "files larger than `SIZE` are refused (reported as failed), as ingest does")
	rf := addReadFlags(fl)
	paths, err := fl.parse(env, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usageError("no FILE or folder given")
	}
	// The summary has no room for them: asking for them without --json is
	// a mistake to say, not to ignore.
	if *prov && !*asJSON {
		return usageError("--provenance goes with --json (the summary does not show provenance)")
	}
	if *sections && !*asJSON {
		return usageError("--sections goes with --json (the summary does not show the prose)")
	}
	if err := positive("-j", *workers); err != nil {
		return err
	}
	limit, err := crawl.ParseBytes(*maxSize)
	if err != nil {
		return usageError("--max-size: %v", err)
	}
	if err := checkInputs(paths); err != nil {
		return err
	}
	ctx = rf.apply(ctx, env)
	failed, n := 0, 0
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	// Folders are read as ingest reads them: sorted, a huge folder sorted in
	// runs spilled to temporary files, so memory does not grow with it.
	var walkErr error
	var walked ingest.Counts
	files := func(yield func(string) bool) {
		walked, walkErr = ingest.Files(paths, os.TempDir(), yield)
	}
	err = forEachReport(ctx, files, *workers, limit, func(rep *nianbao.Report) error {
		n++
		if rep.Status == nianbao.StatusError {
			failed++
		}
		if *asJSON {
			return enc.Encode(rep.Record(*prov, *sections))
		}
		return printSummary(env.Stdout, rep)
	})
	if err != nil {
		return err
	}
	if walked.Special > 0 {
		fmt.Fprintf(env.Stderr, "nianbao parse: %d entries in the folders skipped: not regular files (devices, FIFOs, sockets, broken links)\n", walked.Special)
	}
	if walkErr == nil && walked.Files == 0 {
		return emptyInput(paths, walked)
	}
	if walkErr != nil {
		// Read after forEachReport: its producer, which ran the walk, is done.
		fmt.Fprintf(env.Stderr, "nianbao parse: %v\n", walkErr)
		failed++
	}
	if failed > 0 {
		fmt.Fprintf(env.Stderr, "nianbao parse: %d of %d documents could not be read\n", failed, n)
		return silentExit(1)
	}
	return nil
}

// forEachReport parses the files with a few workers (ingest.Ordered) and
// hands the reports to emit in input order. At most 2×workers documents
// are in flight, so memory does not grow with the number of files.
func forEachReport(ctx context.Context, paths iter.Seq[string], workers int, maxSize int64, emit func(*nianbao.Report) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	reps := ingest.Ordered(ctx, paths, workers, 2*workers, func(ctx context.Context, path string) *nianbao.Report {
		return pipeline.ReadFile(ctx, path, pipeline.Options{MaxSize: maxSize})
	})
	for rep := range reps {
		if err := emit(rep); err != nil {
			cancel()
			for range reps {
			}
			return err
		}
	}
	return ctx.Err()
}

// printSummary writes a readable summary of one report.
func printSummary(w io.Writer, rep *nianbao.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", rep.Source)
	fmt.Fprintf(&b, "  status:   %s", rep.Status)
	switch {
	case rep.Reason != "":
		fmt.Fprintf(&b, " (%s)", rep.Reason)
	case rep.Error != "":
		fmt.Fprintf(&b, " (%s)", rep.Error)
	}
	b.WriteByte('\n')
	if rep.Agency != "" || rep.Year != 0 {
		fmt.Fprintf(&b, "  organ:    %s\n  year:     %d\n", rep.Agency, rep.Year)
	}
	if rep.Template != "" {
		printed, blank, uncertain := 0, 0, 0
		for _, c := range rep.Cells {
			switch {
			case c.Value != nil:
				printed++
			default:
				blank++
			}
			if c.Uncertain != "" {
				uncertain++
			}
		}
		fmt.Fprintf(&b, "  template: %s (%s)\n", rep.Template, rep.Format)
		fmt.Fprintf(&b, "  cells:    %d figures, %d blank, %d uncertain, %d extra\n", printed, blank, uncertain, len(rep.Extra))
		for _, k := range []string{"t3.new.total", "t3.carried.total", "t3.outcome_total.total", "t3.carry_forward.total", "t4.review.total", "t4.suit_direct.total", "t4.suit_after_review.total"} {
			if v, ok := rep.Value(k); ok {
				fmt.Fprintf(&b, "  %-28s %s\n", k, fmtFloat(v))
			}
		}
	}
	if len(rep.Findings) > 0 {
		fmt.Fprintf(&b, "  findings: %d\n", len(rep.Findings))
		for _, f := range rep.Findings {
			fmt.Fprintf(&b, "    [%s] %s\n", f.Rule, f.Detail)
		}
	}
	// Organ names, titles and reasons come from the document.
	_, err := io.WriteString(w, termSafe(b.String(), true))
	return err
}

func fmtFloat(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.6f", v), "0"), ".")
}
