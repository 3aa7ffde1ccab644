package nianbao_test

import (
	"bufio"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/nianbao/nianbao"

// TestLayers holds the packages to the order the README's Architecture
// section lists them in, bottom first: data flows one way, so no package
// may import one listed after it, and every package must be listed. The
// imports of each package's non-test files are read from the source.
func TestLayers(t *testing.T) {
	order := readmeOrder(t)
	rank := map[string]int{}
	for i, p := range order {
		rank[p] = i
	}
	imports := sourceImports(t)
	if len(imports) < 10 {
		t.Fatalf("found %d packages: is the test run from the module root?", len(imports))
	}
	for pkg, deps := range imports {
		r, ok := rank[pkg]
		if !ok {
			t.Errorf("package %s is not in the README's Architecture section: add it where it belongs in the order", pkg)
			continue
		}
		for _, d := range deps {
			dr, ok := rank[d]
			if !ok {
				continue // reported as a package of its own
			}
			if dr >= r && d != pkg {
				t.Errorf("%s imports %s, which the README lists above it", pkg, d)
			}
		}
	}
	for _, p := range order {
		if _, ok := imports[p]; !ok {
			t.Errorf("the README lists %s, which has no Go files", p)
		}
	}
}

// readmeOrder returns the packages the README's Architecture section lists,
// in order: the list items that start with a package path in backquotes
// (`nianbao` is the root package).
func readmeOrder(t *testing.T) []string {
	f, err := os.Open("README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	item := regexp.MustCompile("^- `([a-z0-9/_]+)/?`")
	var order []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = line == "## Architecture"
			continue
		}
		if m := item.FindStringSubmatch(line); in && m != nil {
			p := m[1]
			if p == "nianbao" {
				p = ""
			}
			order = append(order, p)
		}
	}
	if len(order) == 0 {
		t.Fatal("no package list under '## Architecture' in README.md")
	}
	return order
}

// sourceImports maps each package of the module (by its path below the
// module, "" for the root) to the packages of the module its non-test
// files import.
func sourceImports(t *testing.T) map[string][]string {
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != "." && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		if pkg == "." {
			pkg = ""
		}
		deps := out[pkg]
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			switch {
			case p == module:
				deps = append(deps, "")
			case strings.HasPrefix(p, module+"/"):
				deps = append(deps, strings.TrimPrefix(p, module+"/"))
			}
		}
		out[pkg] = deps
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestProcessSettingsInMain: the GC percentage, the Go memory limit and
// glibc's arena limit are settings of the process, made by cmd/nianbao for
// the command it runs; a library that set them would change every program
// importing it (store once ran mallopt in a C constructor).
func TestProcessSettingsInMain(t *testing.T) {
	settings := regexp.MustCompile(`debug\.SetGCPercent\(|debug\.SetMemoryLimit\(|\bmallopt\s*\(|M_ARENA_MAX`)
	// The PDF repair child is a process of its own, which main enters
	// through pdfdoc.ServeRepair: its limits are its main's settings.
	allowed := map[string]bool{"extract/pdfdoc/repair.go": true}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == "cmd" || (path != "." && strings.HasPrefix(d.Name(), ".")) || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if loc := settings.FindIndex(src); loc != nil && !allowed[filepath.ToSlash(path)] {
			t.Errorf("%s sets a process setting (%s): only cmd/nianbao may", path, src[loc[0]:loc[1]])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestContractVendored: the output contract is in the repository, the
// README links it, and no code points outside the repository for it.
func TestContractVendored(t *testing.T) {
	contract, err := os.ReadFile("docs/template.md")
	if err != nil {
		t.Fatalf("the output contract: %v", err)
	}
	if !strings.Contains(string(contract), "t3.new.total") {
		t.Errorf("docs/template.md does not define the cell keys (no t3.new.total)")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "](docs/template.md)") {
		t.Errorf("the README does not link docs/template.md")
	}
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), "shared/"+"reference") {
			t.Errorf("%s points to the reference folder outside the repository: point to docs/template.md", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
