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
