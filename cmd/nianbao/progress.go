package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/ingest"
	"github.com/nianbao/nianbao/pipeline"
)

// ingestProgressEvery is how often plain progress lines are printed.
var ingestProgressEvery = 5 * time.Second

const (
	// progressSlow: a document read for longer than this (an OCR'd scan
	// takes minutes) is named in the progress, so a batch that seems stuck
	// says on what.
	progressSlow = time.Second
	// progressETAAfter: the first documents say little about the rest
	// (the first ones pay for warming up, a batch mixes text and scans),
	// so no ETA is shown before this many are done.
	progressETAAfter = 5
)

// ingestProgress shows progress on stderr: a bar on a terminal, a plain
// line every few seconds otherwise (logs, CI). A ticker refreshes it
// while no document finishes, to name the one being read.
type ingestProgress struct {
	mu       sync.Mutex
	bar      *progressbar.ProgressBar
	w        io.Writer
	total    int
	done     int
	shown    int // done when the last line was printed
	start    time.Time
	last     time.Time
	interval time.Duration
	quiet    bool
	now      func() time.Time
	// reading holds the documents being parsed and since when.
	reading map[string]time.Time
	stop    chan struct{}
	stopped sync.WaitGroup
}

func newIngestProgress(w io.Writer, total int, quiet bool) *ingestProgress {
	p := &ingestProgress{w: w, total: total, interval: ingestProgressEvery, quiet: quiet, now: time.Now,
		reading: map[string]time.Time{}}
	p.start = p.now()
	p.last = p.start
	if quiet {
		return p
	}
	if isTerminal(w) {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("ingest"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("files"),
			// The ETA goes in the description, once it means something.
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionFullWidth(),
		)
	}
	p.stop = make(chan struct{})
	p.stopped.Add(1)
	go p.ticker()
	return p
}

// ticker refreshes the progress once a second until finish.
func (p *ingestProgress) ticker() {
	defer p.stopped.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.tick()
		}
	}
}

// watch wraps the parser so that the progress knows what is being read.
func (p *ingestProgress) watch(parse ingest.ParseFunc) ingest.ParseFunc {
	return func(ctx context.Context, source string, data []byte, opt pipeline.Options) *nianbao.Report {
		p.mu.Lock()
		p.reading[source] = p.now()
		p.mu.Unlock()
		defer func() {
			p.mu.Lock()
			delete(p.reading, source)
			p.mu.Unlock()
		}()
		return parse(ctx, source, data, opt)
	}
}

func (p *ingestProgress) step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if p.quiet {
		return
	}
	if p.bar != nil {
		p.bar.Add(1)
		return
	}
	if now := p.now(); now.Sub(p.last) >= p.interval {
		p.line(now)
	}
}

// tick refreshes the bar's description, or prints a plain line when one
// is due even though no document finished (a long OCR).
func (p *ingestProgress) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.bar != nil {
		desc := "ingest"
		if eta := p.eta(now); eta != "" {
			desc += " (ETA " + eta + ")"
		}
		if src, d, more := p.slowest(now); src != "" {
			desc += fmt.Sprintf(" reading %s (%s%s)", termSafe(filepath.Base(src), false), d, more)
		}
		p.bar.Describe(desc)
		return
	}
	if now.Sub(p.last) >= p.interval {
		p.line(now)
	}
}

// slowest returns the document read for the longest time if that is more
// than progressSlow, how long, and how many others are slow too.
func (p *ingestProgress) slowest(now time.Time) (src string, d time.Duration, more string) {
	var first time.Time
	slow := 0
	for s, t := range p.reading {
		if now.Sub(t) < progressSlow {
			continue
		}
		slow++
		if src == "" || t.Before(first) || t.Equal(first) && s < src {
			src, first = s, t
		}
	}
	if slow > 1 {
		more = fmt.Sprintf(", %d more slow", slow-1)
	}
	return src, now.Sub(first).Round(time.Second), more
}

// eta estimates the time left from the rate so far, once enough documents
// are done for the rate to mean something.
func (p *ingestProgress) eta(now time.Time) string {
	el := now.Sub(p.start).Seconds()
	if p.done < progressETAAfter || p.total <= p.done || el <= 0 {
		return ""
	}
	rate := float64(p.done) / el
	return time.Duration(float64(p.total-p.done) / rate * float64(time.Second)).Round(time.Second).String()
}

func (p *ingestProgress) line(now time.Time) {
	p.last = now
	p.shown = p.done
	el := now.Sub(p.start).Seconds()
	rate := float64(p.done) / max(el, 1e-9)
	s := fmt.Sprintf("ingest: %d/%d files, %.0f files/s", p.done, p.total, rate)
	if eta := p.eta(now); eta != "" {
		s += ", ETA " + eta
	}
	if src, d, more := p.slowest(now); src != "" {
		s += fmt.Sprintf("; reading %s for %s%s", termSafe(src, false), d, more)
	}
	fmt.Fprintln(p.w, s)
}

func (p *ingestProgress) finish() {
	if p.stop != nil {
		close(p.stop)
		p.stopped.Wait()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quiet {
		return
	}
	if p.bar != nil {
		p.bar.Finish()
		return
	}
	if now := p.now(); p.done > p.shown && now.Sub(p.start) >= p.interval {
		p.line(now)
	}
}
