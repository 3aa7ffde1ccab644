package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/storetest"
	"github.com/nianbao/nianbao/pipeline"
)

// BenchmarkScale measures how the commands' costs grow with the store, for
// one or more nianbao binaries side by side, each step run for every binary
// in turn (interleaved, so that a change in the machine's load falls on all
// of them): at every size, sha256sum over the files (the floor any ingest
// pays), the first ingest into a fresh database, the second ingest of the
// same folder (nothing new), parse; on the largest store, the analysts'
// queries of the README; then many versions of one organ and year against
// the same documents as distinct organs. Every figure is wall time and CPU
// time (user + system of the process and its children), with ratios.
//
// It runs only when NIANBAO_SCALE is set; scripts/scale.sh sets it and a
// fresh TMPDIR (see the README's Performance section):
//
//	NIANBAO_SCALE_N         sizes, comma-separated (default 1000,10000)
//	NIANBAO_SCALE_VERSIONS  documents of one organ and year (default 1000; 0 skips)
//	NIANBAO_SCALE_BINS      name=path … (default: this tree, built)
//	NIANBAO_SCALE_KEEP      keep the databases (for a look at them after)
//
// The databases are removed at the end, not between runs: on ext4 without
// a journal, creating files near many just deleted is slow.
func BenchmarkScale(b *testing.B) {
	if os.Getenv("NIANBAO_SCALE") == "" {
		b.Skip("set NIANBAO_SCALE (scripts/scale.sh does) to run the scale suite")
	}
	sizes, err := scaleInts(os.Getenv("NIANBAO_SCALE_N"), []int{1000, 10000})
	if err != nil {
		b.Fatal(err)
	}
	nVersions := 1000
	if v := os.Getenv("NIANBAO_SCALE_VERSIONS"); v != "" {
		if nVersions, err = strconv.Atoi(v); err != nil {
			b.Fatalf("NIANBAO_SCALE_VERSIONS: %v", err)
		}
	}
	var bins []scaleBin
	for _, f := range strings.Fields(os.Getenv("NIANBAO_SCALE_BINS")) {
		name, path, ok := strings.Cut(f, "=")
		if !ok {
			b.Fatalf("NIANBAO_SCALE_BINS: %q is not name=path", f)
		}
		bins = append(bins, scaleBin{name, path})
	}
	if len(bins) == 0 {
		bins = []scaleBin{{"this", storeBuild(b)}}
	}
	root, err := os.MkdirTemp("", "nianbao-scale-")
	if err != nil {
		b.Fatal(err)
	}
	if os.Getenv("NIANBAO_SCALE_KEEP") == "" {
		b.Cleanup(func() { os.RemoveAll(root) })
	}

	for b.Loop() {
		r := &scaleRun{b: b, bins: bins, root: root}
		var largest map[string]string // binary → database of the largest size
		for _, n := range sizes {
			dir, err := storetest.Corpus(1, n)
			if err != nil {
				b.Fatal(err)
			}
			hash := r.measure(fmt.Sprintf("sha256sum, %d files", n), "sh", "-c",
				`find "$1" -type f ! -name .complete -print0 | xargs -0 sha256sum > /dev/null`, "sh", dir)
			dbs := map[string]string{}
			r.each(fmt.Sprintf("ingest %d, first (new database)", n), hash, func(bin scaleBin) []string {
				dbs[bin.name] = r.newDB(bin)
				return []string{"ingest", "-q", "--db", dbs[bin.name], dir}
			})
			r.each(fmt.Sprintf("ingest %d, second (unchanged)", n), hash, func(bin scaleBin) []string {
				return []string{"ingest", "-q", "--db", dbs[bin.name], dir}
			})
			r.sizes(fmt.Sprintf("database of %d (MB, without the archive)", n), dbs)
			r.each(fmt.Sprintf("parse --json %d", n), nil, func(scaleBin) []string {
				return []string{"parse", "--json", dir}
			})
			largest = dbs
		}
		if largest != nil {
			agency := firstAgency(b)
			queries := []struct{ name, sql string }{
				{"query: count per year (v_reports)", `SELECT year, count(*) FROM v_reports GROUP BY year ORDER BY year`},
				{"query: one organ across years (v_reports)", `SELECT year, t3_new_total, t3_carry_forward_total FROM v_reports WHERE agency = '` + agency + `' ORDER BY year`},
				{"query: one key across all reports (v_cells)", `SELECT agency, year, value FROM v_cells WHERE key = 't3.new.total'`},
				{"query: organs LIKE + one key (v_cells)", `SELECT agency, year, value FROM v_cells WHERE agency LIKE '%卫滨区%' AND key = 't3.new.total'`},
				{"query: full-text search (sections_fts)", `SELECT r.agency, r.year, s.section FROM sections_fts
					JOIN sections s ON s.id = sections_fts.rowid JOIN reports r ON r.id = s.report_id
					WHERE sections_fts MATCH '信息处理费' AND r.current`},
			}
			for _, q := range queries {
				// The median of three runs: the first may read the file
				// from disk.
				r.eachMedian(q.name+fmt.Sprintf(", %d reports", sizes[len(sizes)-1]), 3, func(bin scaleBin) []string {
					return []string{"query", "--db", largest[bin.name], "--format", "csv", q.sql}
				})
			}
		}
		if nVersions > 0 {
			organs, err := storetest.VersionsCorpus(1, nVersions, true)
			if err != nil {
				b.Fatal(err)
			}
			versions, err := storetest.VersionsCorpus(1, nVersions, false)
			if err != nil {
				b.Fatal(err)
			}
			distinct := r.each(fmt.Sprintf("ingest %d distinct organs", nVersions), nil, func(bin scaleBin) []string {
				return []string{"ingest", "-q", "--db", r.newDB(bin), organs}
			})
			r.eachPer(fmt.Sprintf("ingest %d versions of one organ-year", nVersions), distinct, "distinct", func(bin scaleBin) []string {
				return []string{"ingest", "-q", "--db", r.newDB(bin), versions}
			})
		}
		r.print()
	}
}

type scaleBin struct{ name, path string }

// scaleCost is what one run of a command took.
type scaleCost struct{ wall, cpu time.Duration }

type scaleRow struct {
	step  string
	costs map[string]scaleCost // by binary; "" for a command that is no nianbao
	base  map[string]scaleCost // what the ratio column divides by (per binary, or "" for all)
	per   string               // the name of base in the ratio column
	sizes map[string]int64     // a size row instead of costs
}

type scaleRun struct {
	b    *testing.B
	bins []scaleBin
	root string
	seq  int
	rows []scaleRow
}

// newDB returns the path of a database no run has used.
func (r *scaleRun) newDB(bin scaleBin) string {
	r.seq++
	dir := filepath.Join(r.root, fmt.Sprintf("%03d-%s", r.seq, bin.name))
	if err := os.Mkdir(dir, 0o755); err != nil {
		r.b.Fatal(err)
	}
	return filepath.Join(dir, "nianbao.db")
}

// run runs a command, its output thrown away, and returns its cost.
func (r *scaleRun) run(name string, args ...string) scaleCost {
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		r.b.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	c := scaleCost{wall: time.Since(start), cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	fmt.Fprintf(os.Stderr, "scale: %6.2fs wall %6.2fs CPU  %s %s\n", c.wall.Seconds(), c.cpu.Seconds(), filepath.Base(name), strings.Join(shorten(args), " "))
	return c
}

// measure runs a command that is the same for every binary.
func (r *scaleRun) measure(step, name string, args ...string) map[string]scaleCost {
	c := map[string]scaleCost{"": r.run(name, args...)}
	r.rows = append(r.rows, scaleRow{step: step, costs: c})
	return c
}

// each runs a nianbao command once with every binary in turn; base (if
// any) is the reference of the ratio column, the same for all binaries.
func (r *scaleRun) each(step string, base map[string]scaleCost, args func(scaleBin) []string) map[string]scaleCost {
	c := map[string]scaleCost{}
	for _, bin := range r.bins {
		c[bin.name] = r.run(bin.path, args(bin)...)
	}
	r.rows = append(r.rows, scaleRow{step: step, costs: c, base: base, per: "sha256sum"})
	return c
}

// eachPer is each with a reference that differs by binary.
func (r *scaleRun) eachPer(step string, base map[string]scaleCost, per string, args func(scaleBin) []string) {
	c := map[string]scaleCost{}
	for _, bin := range r.bins {
		c[bin.name] = r.run(bin.path, args(bin)...)
	}
	r.rows = append(r.rows, scaleRow{step: step, costs: c, base: base, per: per})
}

// eachMedian runs a command k times with every binary (rounds
// interleaved) and keeps the median wall time of each.
func (r *scaleRun) eachMedian(step string, k int, args func(scaleBin) []string) {
	runs := map[string][]scaleCost{}
	for range k {
		for _, bin := range r.bins {
			runs[bin.name] = append(runs[bin.name], r.run(bin.path, args(bin)...))
		}
	}
	c := map[string]scaleCost{}
	for name, rs := range runs {
		slices.SortFunc(rs, func(a, b scaleCost) int { return int(a.wall - b.wall) })
		c[name] = rs[len(rs)/2]
	}
	r.rows = append(r.rows, scaleRow{step: step, costs: c})
}

// sizes records the size of each binary's database (with its WAL).
func (r *scaleRun) sizes(step string, dbs map[string]string) {
	s := map[string]int64{}
	for name, db := range dbs {
		for _, f := range []string{db, db + "-wal"} {
			if fi, err := os.Stat(f); err == nil {
				s[name] += fi.Size()
			}
		}
	}
	r.rows = append(r.rows, scaleRow{step: step, sizes: s})
}

// print writes the table: per binary wall and CPU seconds and the ratio
// to the row's reference; with two binaries or more, the last one's wall
// and CPU against the first's.
func (r *scaleRun) print() {
	var b strings.Builder
	b.WriteString("| step |")
	sep := "|---|"
	for _, bin := range r.bins {
		fmt.Fprintf(&b, " %s wall s | %s CPU s | %s ratio |", bin.name, bin.name, bin.name)
		sep += "---:|---:|---|"
	}
	last, first := r.bins[len(r.bins)-1].name, r.bins[0].name
	if len(r.bins) > 1 {
		fmt.Fprintf(&b, " %s / %s (wall, CPU) |", last, first)
		sep += "---|"
	}
	b.WriteString("\n" + sep + "\n")
	for _, row := range r.rows {
		fmt.Fprintf(&b, "| %s |", row.step)
		if row.sizes != nil {
			for _, bin := range r.bins {
				fmt.Fprintf(&b, " %.1f MB | | |", float64(row.sizes[bin.name])/1e6)
			}
			if len(r.bins) > 1 {
				fmt.Fprintf(&b, " %.2f× |", float64(row.sizes[last])/float64(row.sizes[first]))
			}
			b.WriteString("\n")
			continue
		}
		if c, ok := row.costs[""]; ok {
			fmt.Fprintf(&b, " %.2f | %.2f | |", c.wall.Seconds(), c.cpu.Seconds())
			for range r.bins[1:] {
				b.WriteString(" | | |")
			}
			if len(r.bins) > 1 {
				b.WriteString(" |")
			}
			b.WriteString("\n")
			continue
		}
		for _, bin := range r.bins {
			c := row.costs[bin.name]
			fmt.Fprintf(&b, " %.2f | %.2f |", c.wall.Seconds(), c.cpu.Seconds())
			base, ok := row.base[""]
			if !ok {
				base, ok = row.base[bin.name]
			}
			if ok {
				fmt.Fprintf(&b, " %.1f× / %.1f× %s |", ratio(c.wall, base.wall), ratio(c.cpu, base.cpu), row.per)
			} else {
				b.WriteString(" |")
			}
		}
		if len(r.bins) > 1 {
			fmt.Fprintf(&b, " %.2f× / %.2f× |", ratio(row.costs[last].wall, row.costs[first].wall), ratio(row.costs[last].cpu, row.costs[first].cpu))
		}
		b.WriteString("\n")
	}
	fmt.Print("\n" + b.String())
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// shorten cuts long arguments (SQL, paths) for the progress lines.
func shorten(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		a = strings.Join(strings.Fields(a), " ")
		if len([]rune(a)) > 60 {
			a = string([]rune(a)[:57]) + "…"
		}
		out[i] = a
	}
	return out
}

func scaleInts(s string, def []int) ([]int, error) {
	if s == "" {
		return def, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("NIANBAO_SCALE_N: %q is no size", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// firstAgency is the organ of the corpus' first report, for the query of
// one organ across years.
func firstAgency(b *testing.B) string {
	name, data := storetest.Doc(1, 0)
	rep := pipeline.Read(context.Background(), name, data, pipeline.Options{})
	if rep.Status != nianbao.StatusOK && rep.Status != nianbao.StatusFindings || strings.Contains(rep.Agency, "'") {
		b.Fatalf("the first generated report: %s %q", rep.Status, rep.Agency)
	}
	return rep.Agency
}
