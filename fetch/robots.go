package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// maxCrawlDelay caps a robots.txt Crawl-delay: a larger one would stop a
// scheduled run from finishing.
const maxCrawlDelay = time.Minute

// ErrDisallowed is returned (wrapped in an *Error with the reason
// "robots.txt") for a URL robots.txt does not let the crawler fetch: a
// rule of the site, not a failure, which a crawler need not retry.
var ErrDisallowed = errors.New("disallowed by robots.txt")

// robotsCache holds the robots.txt of each scheme://host for the life of
// the Fetcher (one run).
type robotsCache struct {
	f  *Fetcher
	mu sync.Mutex
	m  map[string]*robotsEntry
}

type robotsEntry struct {
	mu     sync.Mutex       // held while robots.txt is fetched
	loaded time.Time        // zero: not yet
	group  *robotstxt.Group // nil: everything allowed
	deny   error            // set: everything refused, with why
}

func newRobotsCache(f *Fetcher) *robotsCache {
	return &robotsCache{f: f, m: map[string]*robotsEntry{}}
}

// check returns nil when robots.txt lets the crawler fetch u.
func (c *robotsCache) check(ctx context.Context, u *url.URL, allowed func(string) bool) error {
	key := u.Scheme + "://" + u.Host
	c.mu.Lock()
	e := c.m[key]
	if e == nil {
		e = &robotsEntry{}
		c.m[key] = e
	}
	c.mu.Unlock()
	e.mu.Lock()
	if ttl := c.f.cfg.RobotsTTL; e.loaded.IsZero() || ttl > 0 && time.Since(e.loaded) > ttl {
		e.group, e.deny = nil, nil
		// A turn of the host too far off (a shared gate), or a cancelled
		// run, says nothing about the site: robots.txt is asked for again
		// by the next request.
		if err := c.load(ctx, e, key, allowed); err != nil {
			e.mu.Unlock()
			return err
		}
		e.loaded = time.Now()
	}
	deny, group := e.deny, e.group
	e.mu.Unlock()
	if deny != nil {
		return deny
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if group != nil && !group.Test(path) {
		return fmt.Errorf("%w for %s", ErrDisallowed, RobotsAgent)
	}
	return nil
}

// load fetches robots.txt the way RFC 9309 asks: 4xx means no rules, 5xx
// or an unreachable server means stay away this run. It returns an error,
// leaving e unloaded, only when the host was busy (a *HostBusyError) or
// ctx ended.
func (c *robotsCache) load(ctx context.Context, e *robotsEntry, key string, allowed func(string) bool) error {
	shared := c.f.cfg.Robots
	if shared != nil {
		status, body, ok, err := shared.Get(ctx, key, c.sharedAge())
		switch {
		case err != nil:
			c.f.log.Warn("shared robots.txt", "site", key, "err", err)
		case ok:
			c.apply(e, key, status, body)
			return nil
		}
	}
	resp, err := c.f.get(ctx, Request{URL: key + "/robots.txt", Allowed: allowed, MaxBytes: 512 << 10}, false)
	if err != nil {
		var busy *HostBusyError
		if errors.As(err, &busy) || ctx.Err() != nil {
			return err
		}
		var fe *Error
		if errors.As(err, &fe) && fe.Status >= 400 && fe.Status < 500 {
			c.share(ctx, key, fe.Status, nil)
			return nil // no robots.txt
		}
		if errors.As(err, &fe) && fe.Reason == "too large" {
			c.f.log.Warn("robots.txt too large, ignored", "site", key)
			return nil
		}
		e.deny = fmt.Errorf("robots.txt unavailable, site skipped: %w", err)
		return nil
	}
	c.share(ctx, key, resp.Status, resp.Body)
	c.apply(e, key, resp.Status, resp.Body)
	return nil
}

// sharedAge is how old a shared robots.txt may be.
func (c *robotsCache) sharedAge() time.Duration {
	if ttl := c.f.cfg.RobotsTTL; ttl > 0 {
		return ttl
	}
	return 24 * time.Hour // RFC 9309's longest
}

// share gives what a fetch of robots.txt answered to the other fetchers.
func (c *robotsCache) share(ctx context.Context, key string, status int, body []byte) {
	if c.f.cfg.Robots == nil {
		return
	}
	if err := c.f.cfg.Robots.Put(ctx, key, status, body); err != nil {
		c.f.log.Warn("shared robots.txt", "site", key, "err", err)
	}
}

// apply reads the rules of a robots.txt answer into e.
func (c *robotsCache) apply(e *robotsEntry, key string, status int, body []byte) {
	data, err := robotstxt.FromStatusAndBytes(status, body)
	if err != nil {
		// Unparseable rules: read leniently as none, like the big crawlers.
		c.f.log.Warn("robots.txt unparseable, ignored", "site", key, "err", err)
		return
	}
	g := data.FindGroup(RobotsAgent)
	e.group = g
	if g.CrawlDelay > 0 {
		d := min(g.CrawlDelay, maxCrawlDelay)
		u, _ := url.Parse(key)
		c.f.gate.setDelay(u.Host, c.f.cfg.Delay, d)
	}
}
