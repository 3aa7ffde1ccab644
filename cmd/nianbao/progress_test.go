package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/pipeline"
)

// TestIngestProgressNamesSlowFile drives the plain progress with a clock
// of its own: a document read for more than a second is named with how
// long it has taken, even while nothing finishes; no ETA is shown before a
// few documents are done.
func TestIngestProgressNamesSlowFile(t *testing.T) {
	var buf strings.Builder
	p := newIngestProgress(&buf, 20, true) // quiet: no ticker of its own
	p.quiet = false
	clock := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return clock }
	p.start, p.last, p.interval = clock, clock, 5*time.Second

	// The parser blocks until the test lets it go, the progress is
	// checked meanwhile.
	release := make(chan struct{})
	started := make(chan struct{})
	parse := p.watch(func(context.Context, string, []byte, pipeline.Options) *nianbao.Report {
		close(started)
		<-release
		return &nianbao.Report{}
	})
	done := make(chan struct{})
	go func() { parse(context.Background(), "/in/scan.pdf", nil, pipeline.Options{}); close(done) }()
	<-started

	clock = clock.Add(5 * time.Second)
	p.tick()
	line := buf.String()
	if !strings.Contains(line, "ingest: 0/20 files") || !strings.Contains(line, "reading /in/scan.pdf for 5s") {
		t.Errorf("a document read for 5 s is not named: %q", line)
	}
	if strings.Contains(line, "ETA") {
		t.Errorf("an ETA before any document is done: %q", line)
	}
	close(release)
	<-done

	buf.Reset()
	for range progressETAAfter - 1 {
		p.step()
	}
	clock = clock.Add(5 * time.Second)
	p.tick()
	if got := buf.String(); strings.Contains(got, "ETA") || strings.Contains(got, "reading") {
		t.Errorf("after %d documents: %q; want no ETA and nothing being read", progressETAAfter-1, got)
	}
	buf.Reset()
	p.step()
	clock = clock.Add(5 * time.Second)
	p.tick()
	// 5 done in 15 s: 15 more take 45 s.
	if got := buf.String(); !strings.Contains(got, "ingest: 5/20 files") || !strings.Contains(got, "ETA 45s") {
		t.Errorf("after %d documents: %q; want ETA 45s", progressETAAfter, got)
	}
	// A document read for less than a second is not named.
	p.reading["/in/quick.txt"] = clock.Add(-500 * time.Millisecond)
	buf.Reset()
	clock = clock.Add(5 * time.Second)
	p.reading["/in/quick.txt"] = clock.Add(-500 * time.Millisecond)
	p.tick()
	if got := buf.String(); strings.Contains(got, "quick.txt") {
		t.Errorf("a quick document named: %q", got)
	}
	p.finish()
}
