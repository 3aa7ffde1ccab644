package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao/store"
)

func init() {
	register(command{Name: "panel", Summary: "one row per organ and year (or per division): the figures researchers compute with", Run: runPanel})
}

func runPanel(ctx context.Context, env *Env, args []string) error {
	fl := newFlags("panel", "usage: nianbao panel [--db FILE] [--by organ|county|city|province] [--region CODE] [--level 省|市|县|乡]\n"+
		"                     [--kind KIND] [--years FROM-TO] [--format table|csv|json|xlsx] [--out FILE.xlsx]\n\n"+
		"Prints the panel (the view v_panel): one row per organ and year, the current version of\n"+
		"its report — applications, outcomes and their shares, reviews and suits with the\n"+
		"corrected ones, findings (own and across years), published and on time. --by sums the\n"+
		"organs of each county, city or province per year, with how many reports that is and\n"+
		"how many of the division's organs are missing that year. The README's data dictionary\n"+
		"gives every column's formula.")
	db := storeDBFlag(fl.FlagSet, env)
	by := fl.String("by", "organ", "a row per organ and year (organ), or the organs of each county, city or province summed")
	region := fl.String("region", "", "only organs in this division (an NBS code: 32 江苏省, 3208 淮安市, 320813 洪泽区)")
	level := fl.String("level", "", "only organs of this level: 省, 市, 县 or 乡")
	kind := fl.String("kind", "", "only organs of this kind: 人民政府, 人民政府办公室, 部门, 乡镇, 街道, 开发区, 其他")
	years := fl.String("years", "", "only these years: 2023, or a range 2019-2025")
	format := fl.String("format", "table", "output: table, csv, json or xlsx (xlsx needs --out)")
	out := fl.String("out", "", "the XLSX file to write (--format xlsx)")
	force := fl.Bool("force", false, "xlsx: replace --out if it exists (never the database)")
	rest, err := fl.parse(env, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest, "filters are flags: --region, --level, --kind, --years"); err != nil {
		return err
	}
	f := store.PanelFilter{By: *by, Region: *region, Level: *level, Kind: *kind}
	switch f.By {
	case "organ", "county", "city", "province":
	default:
		return usageError("--by must be organ, county, city or province (got %q)", f.By)
	}
	if f.Region != "" && strings.Trim(f.Region, "0123456789") != "" {
		return usageError("--region must be a division code of digits (got %q)", f.Region)
	}
	switch f.Level {
	case "", "省", "市", "县", "乡":
	default:
		return usageError("--level must be 省, 市, 县 or 乡 (got %q)", f.Level)
	}
	if f.From, f.To, err = yearRange(*years); err != nil {
		return usageError("--years: %v", err)
	}
	if (*format == "xlsx") != (*out != "") {
		return usageError("--out goes with --format xlsx, and --format xlsx needs --out")
	}
	st, err := store.Open(ctx, *db, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	if *format == "xlsx" {
		t, err := st.PanelTable(ctx, f)
		if err != nil {
			return err
		}
		tables := []*store.Table{t}
		dest, err := exportDestination(*db, *out, "xlsx", tables, *force)
		if err != nil {
			return err
		}
		return exportXLSX(ctx, env, tables, dest, "keys")
	}
	w, err := newStoreOut(*format, env.Stdout, env.Stderr)
	if err != nil {
		return usageError("%v", err)
	}
	if err := st.Panel(ctx, f, w.header, w.row); err != nil {
		return err
	}
	return w.close()
}

// yearRange reads "2023" or "2019-2025"; "" is every year (0, 0).
func yearRange(s string) (from, to int, err error) {
	if s == "" {
		return 0, 0, nil
	}
	a, b, isRange := strings.Cut(s, "-")
	if from, err = strconv.Atoi(strings.TrimSpace(a)); err != nil || from < 1900 || from > 2200 {
		return 0, 0, fmt.Errorf("%q is no year or range of years (2023, 2019-2025)", s)
	}
	to = from
	if isRange {
		if to, err = strconv.Atoi(strings.TrimSpace(b)); err != nil || to < from || to > 2200 {
			return 0, 0, fmt.Errorf("%q is no range of years (2019-2025)", s)
		}
	}
	return from, to, nil
}
