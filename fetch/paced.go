package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// errSlow is the cause of a request ended for its body's pace.
var errSlow = errors.New("the body came too slowly")

// pacedReader watches the pace of a response body: no byte for
// cfg.IdleTimeout (a watchdog, since a blocked Read cannot be checked
// from inside), or less than cfg.MinRate bytes a second on average once
// cfg.SlowAfter has passed, cancels the request with errSlow.
type pacedReader struct {
	r      io.Reader
	cfg    Config
	cancel context.CancelCauseFunc
	start  time.Time
	n      int64
	mu     sync.Mutex
	idle   *time.Timer
}

func newPacedReader(r io.Reader, cfg Config, cancel context.CancelCauseFunc) *pacedReader {
	p := &pacedReader{r: r, cfg: cfg, cancel: cancel, start: time.Now()}
	if cfg.IdleTimeout > 0 {
		p.idle = time.AfterFunc(cfg.IdleTimeout, func() {
			cancel(fmt.Errorf("%w: nothing for %v", errSlow, cfg.IdleTimeout))
		})
	}
	return p
}

func (p *pacedReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if n > 0 && p.idle != nil {
		p.mu.Lock()
		p.idle.Reset(p.cfg.IdleTimeout)
		p.mu.Unlock()
	}
	if el := time.Since(p.start); err == nil && p.cfg.SlowAfter > 0 && p.cfg.MinRate > 0 && el > p.cfg.SlowAfter {
		if rate := float64(p.n) / el.Seconds(); rate < float64(p.cfg.MinRate) {
			cause := fmt.Errorf("%w: %d bytes in %v, under %d bytes/s", errSlow, p.n, el.Round(time.Second), p.cfg.MinRate)
			p.cancel(cause)
			return n, cause
		}
	}
	return n, err
}

// stop ends the watchdog.
func (p *pacedReader) stop() {
	if p.idle != nil {
		p.mu.Lock()
		p.idle.Stop()
		p.mu.Unlock()
	}
}
