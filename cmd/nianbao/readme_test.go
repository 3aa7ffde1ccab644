package main

import (
	"flag"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
)

// TestREADMECommandLine holds the README's command-line parts to the
// commands: every command and every flag is documented, the install line
// carries the build tag, the scheduling recipes run with --strict at a
// time of a named zone, and no draft text is left in (an HTML comment
// opened or closed alone renders the rest as text, or hides it).
func TestREADMECommandLine(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	if open, closed := strings.Count(readme, "<!--"), strings.Count(readme, "-->"); open != closed {
		t.Errorf("README: %d comments opened, %d closed (draft text left in?)", open, closed)
	}
	for _, want := range []string{
		"go install -tags sqlite_fts5 github.com/nianbao/nianbao/cmd/nianbao@latest",
		"first build takes a few minutes",
		"CRON_TZ=Asia/Shanghai",
		"OnCalendar=*-*-* 02:30:00 Asia/Shanghai",
		"clips a cell to 60 columns",
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("README lacks %q", want)
		}
	}
	for _, line := range strings.Split(readme, "\n") {
		if strings.Contains(line, "nianbao crawl") && (strings.HasPrefix(line, "30 2 ") || strings.HasPrefix(line, "ExecStart=")) &&
			!strings.Contains(line, "--strict") {
			t.Errorf("a scheduled crawl without --strict: %s", line)
		}
	}
	// Every command, and every flag of it ("--name" or "-n" in backquotes).
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !strings.Contains(readme, "nianbao "+n) {
			t.Errorf("README never shows nianbao %s", n)
		}
		fl := commandFlags(t, n)
		fl.VisitAll(func(f *flag.Flag) {
			dash := "--"
			if len(f.Name) == 1 {
				dash = "-"
			}
			if !regexp.MustCompile("`" + regexp.QuoteMeta(dash+f.Name) + "[` ,]").MatchString(readme) {
				t.Errorf("README does not document %s %s%s", n, dash, f.Name)
			}
		})
	}
}

// commandFlags returns the flags of a command, read from its -h output.
func commandFlags(t *testing.T, name string) *flag.FlagSet {
	t.Helper()
	_, out, _ := runCmd(t, name, "-h")
	fl := flag.NewFlagSet(name, flag.ContinueOnError)
	for _, line := range strings.Split(out, "\n") {
		if m := regexp.MustCompile(`^  --?([a-z][a-z0-9-]*)`).FindStringSubmatch(line); m != nil {
			fl.Bool(m[1], false, "")
		}
	}
	return fl
}

// TestREADMELimits holds the README's table of limits ("Limits: the
// budget of a document") to the program: one row for each name --limit
// takes, and the defaults it states, read as --limit reads them, are
// exactly nianbao.DefaultBudget. The commands it names take --limit.
func TestREADMELimits(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n### Limits: the budget of a document\n")
	if !ok {
		t.Fatal("README has no section “Limits: the budget of a document”")
	}
	section, _, _ = strings.Cut(section, "\n#")
	row := regexp.MustCompile("(?m)^\\| `([a-z]+)` \\| `([^`]+)` \\|")
	var stated nianbao.Budget // every field set from the README, none from the defaults
	var names []string
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		names = append(names, m[1])
		if err := stated.Set(m[1] + "=" + m[2]); err != nil {
			t.Errorf("README's default %s=%s: %v", m[1], m[2], err)
		}
	}
	sort.Strings(names)
	if want := nianbao.LimitNames(); strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("README's table of limits has %v, --limit takes %v", names, want)
	}
	if def := nianbao.DefaultBudget(); stated != def {
		t.Errorf("README's defaults\n %+v\nthe program's\n %+v", stated, def)
	}
	for _, cmd := range []string{"parse", "ingest", "crawl"} {
		if commandFlags(t, cmd).Lookup("limit") == nil {
			t.Errorf("README: --limit in %s, which does not take it", cmd)
		}
	}
}
