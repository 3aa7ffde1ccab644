package main

import (
	"context"
	"strings"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/store"
)

func init() {
	register(command{Name: "reports", Summary: "list the stored reports (filter by organ, year, status, text)", Run: runReports})
}

func runReports(ctx context.Context, env *Env, args []string) error {
	fl := newFlags("reports", "usage: nianbao reports [--db FILE] [--agency TEXT] [--year YEAR] [--status LIST] [--text TEXT] [--all-versions] [--format table|csv|json]\n\n"+
		"Lists the stored reports: the current version of each organ and year, and the\n"+
		"documents that did not parse, with the reason.")
	db := storeDBFlag(fl.FlagSet, env)
	agency := fl.String("agency", "", "only organs whose name contains this `TEXT`")
	year := fl.Int("year", 0, "only this report `YEAR`")
	status := fl.String("status", "", "only these statuses, comma-separated: ok, findings, unsupported, needs_ocr, error")
	text := fl.String("text", "", "only reports whose sections 一, 五, 六 contain this `TEXT`")
	allVersions := fl.Bool("all-versions", false, "include superseded versions and other formats of a report (same figures)")
	format := fl.String("format", "table", "output: table, csv or json")
	raw := fl.Bool("raw", false, "csv: write text cells as they are (by default a text starting with = + - @ gets a leading ' so that a spreadsheet does not run it as a formula)")
	rest, err := fl.parse(env, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest, "filters are flags: --agency, --year, --status, --text"); err != nil {
		return err
	}
	if *year < 0 {
		return usageError("--year must be a year (got %d)", *year)
	}
	f := store.ReportFilter{Agency: *agency, Year: *year, Text: *text, AllVersions: *allVersions}
	if *status != "" {
		for _, s := range strings.Split(*status, ",") {
			st := nianbao.Status(strings.TrimSpace(s))
			switch st {
			case nianbao.StatusOK, nianbao.StatusFindings, nianbao.StatusUnsupported, nianbao.StatusNeedsOCR, nianbao.StatusError:
				f.Status = append(f.Status, st)
			default:
				return usageError("unknown status %q (ok, findings, unsupported, needs_ocr, error)", s)
			}
		}
	}
	out, err := newStoreOut(*format, env.Stdout, env.Stderr)
	if err != nil {
		return usageError("%v", err)
	}
	if c, ok := out.(*csvOut); ok {
		c.raw = *raw
	}
	st, err := store.Open(ctx, *db, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()

	// report_id, as in every view and export: one name for one thing.
	cols := []string{"report_id", "agency", "year", "template", "status", "version", "current", "superseded_by", "same_as", "findings", "source", "reason"}
	if *format != "table" {
		cols = append(cols, "sha256", "format", "parser", "parsed_at")
	}
	if err := out.header(cols); err != nil {
		return err
	}
	err = st.Reports(ctx, f, func(r store.ReportInfo) error {
		vals := []any{r.ID, storeOrNil(r.Agency), storeOrNilInt(r.Year), r.Template, r.Status, storeOrNilInt(r.Version),
			r.Current, storeOrNilInt(int(r.SupersededBy)), storeOrNilInt(int(r.SameAs)), int64(r.Findings), r.Source, storeOrNil(r.Reason)}
		if *format != "table" {
			vals = append(vals, r.SHA256, r.Format, r.Parser, r.ParsedAt)
		}
		return out.row(vals)
	})
	if err != nil {
		return err
	}
	return out.close()
}

func storeOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func storeOrNilInt(n int) any {
	if n == 0 {
		return nil
	}
	return int64(n)
}
