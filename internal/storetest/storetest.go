// Package storetest writes generated report files for the store's tests and
// benchmarks and for the ingest command's: random consistent reports of both
// templates (internal/fixture), rendered as HTML and text pages.
package storetest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/fixture"
)

// Doc renders the i-th generated report of a seed: HTML for two in three,
// text otherwise; template 2019 or 2021 alternately; one in ten breaks a
// rule of the arithmetic (a finding). The same seed and i give the same
// bytes. name is a file name for it.
func Doc(seed uint64, i int) (name string, data []byte) {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	t := nianbao.Template2019
	if i%2 == 1 {
		t = nianbao.Template2021
	}
	s := fixture.Random(rng, t)
	if i%10 == 9 {
		s = fixture.Break(s, fixture.BreakableRules[(i/10)%len(fixture.BreakableRules)])
	}
	if i%3 == 2 {
		return fmt.Sprintf("r%06d.txt", i), fixture.Text(s, fixture.RandomTextStyle(rng))
	}
	return fmt.Sprintf("r%06d.html", i), fixture.HTML(s, fixture.RandomHTMLStyle(rng))
}

// Write writes n generated reports into dir, one file at a time (nothing is
// held in memory), and returns their total size.
func Write(dir string, seed uint64, n int) (int64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	var total int64
	for i := range n {
		name, data := Doc(seed, i)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return total, err
		}
		total += int64(len(data))
	}
	return total, nil
}

// Corpus returns a folder holding n generated reports of seed, writing it
// on first use under the system's temporary folder and reusing it after
// (benchmarks need thousands, which take seconds to render). A folder is
// complete once its marker file exists.
func Corpus(seed uint64, n int) (string, error) {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("nianbao-corpus-v2-%d-%d", seed, n))
	marker := filepath.Join(dir, ".complete")
	if _, err := os.Stat(marker); err == nil {
		return dir, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := WriteParallel(dir, seed, n); err != nil {
		return "", err
	}
	return dir, os.WriteFile(marker, nil, 0o644)
}

// WriteParallel is Write on every core.
func WriteParallel(dir string, seed uint64, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	workers := runtime.GOMAXPROCS(0)
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := w; i < n; i += workers {
				name, data := Doc(seed, i)
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
