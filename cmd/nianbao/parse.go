package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/pipeline"
)

func init() {
	register(command{Name: "parse", Summary: "read report files and print their figures (JSON Lines with --json)", Run: runParse})
}

func runParse(ctx context.Context, env *Env, args []string) error {
	fl := flag.NewFlagSet("parse", flag.ContinueOnError)
	fl.SetOutput(env.Stderr)
	asJSON := fl.Bool("json", false, "print one JSON object per document per line (JSON Lines)")
	prov := fl.Bool("provenance", false, "with --json: add where each cell was printed (table, row, column, raw text; page and box for PDF)")
	sections := fl.Bool("sections", false, "with --json: add the prose of sections 一, 五, 六")
	workers := fl.Int("j", runtime.GOMAXPROCS(0), "documents parsed at once")
	fl.Usage = func() {
		fmt.Fprintln(env.Stderr, "usage: nianbao parse [--json] [--provenance] FILE|DIR...")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return silentExit(2)
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return silentExit(2)
	}
	failed, n := 0, 0
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	err := forEachReport(ctx, files(fl.Args()), *workers, func(rep *nianbao.Report) error {
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
	if failed > 0 {
		fmt.Fprintf(env.Stderr, "nianbao parse: %d of %d documents could not be read\n", failed, n)
		return silentExit(1)
	}
	return nil
}

// files yields the files the arguments name: files as given, folders
// walked recursively (hidden entries skipped). A folder's entries are read
// a thousand at a time and in the folder's own order, so that a folder of
// 100,000 reports is never listed in memory at once. A folder that cannot
// be read is yielded itself: reading it fails, and that failure is its
// record.
func files(args []string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, a := range args {
			st, err := os.Stat(a)
			if err != nil || !st.IsDir() {
				if !yield(a) { // a missing file becomes an error record
					return
				}
				continue
			}
			if !walkDir(a, yield) {
				return
			}
		}
	}
}

// walkDir yields the files under dir; false means the consumer stopped.
func walkDir(dir string, yield func(string) bool) bool {
	f, err := os.Open(dir)
	if err != nil {
		return yield(dir)
	}
	defer f.Close()
	for {
		entries, err := f.ReadDir(1000)
		for _, e := range entries {
			name := e.Name()
			p := filepath.Join(dir, name)
			switch {
			case strings.HasPrefix(name, "."):
			case e.IsDir():
				if !walkDir(p, yield) {
					return false
				}
			case e.Type().IsRegular() && !strings.HasSuffix(name, ".expected.json"):
				if !yield(p) {
					return false
				}
			}
		}
		if err == io.EOF || len(entries) == 0 {
			return true
		}
		if err != nil {
			return yield(dir)
		}
	}
}

// forEachReport parses the files with a few workers and hands the reports
// to emit in input order. At most 2×workers documents are in flight, so
// memory does not grow with the number of files.
func forEachReport(ctx context.Context, paths iter.Seq[string], workers int, emit func(*nianbao.Report) error) error {
	workers = max(workers, 1)
	type slot struct{ ch chan *nianbao.Report }
	queue := make(chan slot, 2*workers)
	jobs := make(chan struct {
		path string
		out  chan *nianbao.Report
	})
	for range workers {
		go func() {
			for j := range jobs {
				j.out <- pipeline.ReadFile(ctx, j.path, pipeline.Options{})
			}
		}()
	}
	go func() {
		defer close(queue)
		defer close(jobs)
		for p := range paths {
			s := slot{ch: make(chan *nianbao.Report, 1)}
			select {
			case queue <- s:
			case <-ctx.Done():
				return
			}
			jobs <- struct {
				path string
				out  chan *nianbao.Report
			}{p, s.ch}
		}
	}()
	for s := range queue {
		rep := <-s.ch
		if err := emit(rep); err != nil {
			// Drain so the workers finish.
			go func() {
				for s := range queue {
					<-s.ch
				}
			}()
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
	_, err := io.WriteString(w, b.String())
	return err
}

func fmtFloat(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.6f", v), "0"), ".")
}
