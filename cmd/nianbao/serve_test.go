package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeUsage: an address that is not loopback needs --public, and the
// flags are checked before anything is opened.
func TestServeUsage(t *testing.T) {
	db := emptyDB(t)
	for _, args := range [][]string{
		{"serve", "--db", db, "--addr", "0.0.0.0:8080"},
		{"serve", "--db", db, "--addr", "192.0.2.1:8080"},
		{"serve", "--db", db, "--addr", "8080"},
		{"serve", "--db", db, "--sql-rows", "0"},
		{"serve", "--db", db, "--sql-timeout", "0s"},
		{"serve", "--db", db, "extra"},
	} {
		code, _, errs := runCmd(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errs)
		}
	}
	code, _, errs := runCmd(t, "serve", "--db", db+".missing", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errs, "no database") {
		t.Errorf("missing database: exit %d %s", code, errs)
	}
}

// lockedBuffer is a buffer the command writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeRuns starts the server on a free loopback port, reads a page
// and stops it as Ctrl-C does.
func TestServeRuns(t *testing.T) {
	db := emptyDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errs lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, &Env{Stdout: io.Discard, Stderr: &errs, Stdin: strings.NewReader("")},
			[]string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--cache", t.TempDir()})
	}()
	addr := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)/`)
	var base string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && base == ""; time.Sleep(20 * time.Millisecond) {
		if m := addr.FindStringSubmatch(errs.String()); m != nil {
			base = "http://" + m[1]
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("the server did not start: %s", errs.String())
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "coverage") || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("home: %d %s", resp.StatusCode, body)
	}
	resp, err = http.Post(base+"/sql", "application/x-www-form-urlencoded", strings.NewReader("sql=DELETE+FROM+reports"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after Ctrl-C: %s", code, errs.String())
		}
	case <-time.After(10 * time.Second):
		t.Errorf("the server did not stop")
	}
}
