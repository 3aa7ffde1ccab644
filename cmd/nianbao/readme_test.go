package main

import (
	"flag"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
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
