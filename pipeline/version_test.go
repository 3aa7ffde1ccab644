package pipeline

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
)

var updateVersion = flag.Bool("update-parser-version", false, "record the digest of the parser's outputs for the current nianbao.ParserVersion")

// parserVersionFile records which outputs the current ParserVersion gives.
const parserVersionFile = "../testdata/parser-version.txt"

// TestParserVersion makes nianbao.ParserVersion mean something: it reads
// every committed test document that needs no external tool (generated
// HTML and text, the samples, the bad inputs, the synthetic tables, the
// Huaian PDF read natively) and compares a digest of everything read —
// cells, flags, provenance, findings, prose, status — with the digest
// recorded for the version. When the reading of a document changes, the
// version must change too, so that `nianbao ingest --reparse` finds the
// reports stored by the old one: bump ParserVersion in version.go, then run
//
//	go test -tags sqlite_fts5 ./pipeline -run TestParserVersion -update-parser-version
func TestParserVersion(t *testing.T) {
	files := versionCorpus(t)
	h := sha256.New()
	for _, f := range files {
		rep := ReadFile(context.Background(), f, Options{})
		rep.Parser = "" // the digest is of what was read, not of the label
		b, err := json.Marshal(rep.Record(true, true))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		fmt.Fprintf(h, "%s\n%s\n", filepath.ToSlash(f), b)
	}
	digest := hex.EncodeToString(h.Sum(nil))
	if *updateVersion {
		body := fmt.Sprintf("# Written by TestParserVersion (pipeline/version_test.go): the parser version\n"+
			"# and the digest of what it reads from %d test documents.\nversion %s\ndigest %s\n", len(files), nianbao.ParserVersion, digest)
		if err := os.WriteFile(parserVersionFile, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	version, recorded := readVersionFile(t)
	switch {
	case version != nianbao.ParserVersion:
		t.Fatalf("ParserVersion is %s but %s records %s: run this test with -update-parser-version to record the new version's outputs",
			nianbao.ParserVersion, parserVersionFile, version)
	case digest != recorded:
		t.Fatalf("what the parser reads from the %d test documents changed, but ParserVersion is still %s: "+
			"bump it in version.go (so that `ingest --reparse` re-reads stored reports), then run this test with -update-parser-version",
			len(files), version)
	}
}

func versionCorpus(t *testing.T) []string {
	var files []string
	for _, pattern := range []string{"generated/*", "samples/*", "bad/*", "synthetic/*.html", "text/*"} {
		m, err := filepath.Glob(filepath.Join("..", "testdata", pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			base := filepath.Base(f)
			if strings.HasSuffix(base, ".json") || strings.HasSuffix(base, ".md") {
				continue
			}
			if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() {
				files = append(files, f)
			}
		}
	}
	slices.Sort(files)
	if len(files) < 300 {
		t.Fatalf("only %d test documents found", len(files))
	}
	return files
}

func readVersionFile(t *testing.T) (version, digest string) {
	f, err := os.Open(parserVersionFile)
	if err != nil {
		t.Fatalf("%v: run this test with -update-parser-version", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		switch k {
		case "version":
			version = v
		case "digest":
			digest = v
		}
	}
	return version, digest
}
