// Package crawl finds and fetches the annual reports of government sites:
// from each site's start URL (its report column) it follows the listing
// pages, picks the report entries, finds their attachments, and hands every
// document to the store's ingest. What to fetch lives in the store's
// frontier, so a killed run resumes where it stopped and the next run only
// downloads what changed (conditional GETs).
package crawl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nianbao/nianbao/fetch"
	"github.com/nianbao/nianbao/ingest"
	"github.com/nianbao/nianbao/organ"
	"github.com/nianbao/nianbao/store"
)

// Site is one site to crawl.
type Site struct {
	// Start is the URL of the site's annual-report column.
	Start string
	// Name is the organ, for the summary (optional).
	Name string
	// Division is the code of the division the site's organ is in (NBS
	// 统计用区划代码): it places a report whose organ name does not say
	// where it is ("市政府办公室"). When empty, the division Name places.
	Division string
	// Hosts are hosts besides the start URL's that the site's links may
	// lead to (a separate file server, say). Host names with optional port.
	Hosts []string
	// Delay, when not nil, overrides Config.Fetch.Delay for this site's hosts.
	Delay *time.Duration
	// MaxPages, MaxBytes and MaxTime, when > 0, override the Config
	// bounds.
	MaxPages int
	MaxBytes int64
	MaxTime  time.Duration
}

// Config tunes a run.
type Config struct {
	Fetch fetch.Config
	// MaxPages bounds the requests to one site in one run; MaxBytes the
	// bytes downloaded from it. The rest waits for the next run.
	MaxPages int
	MaxBytes int64
	// MaxTime bounds the time of one site in one run (0: none): no request
	// starts after it, one in flight is cut off, and what is left waits
	// for the next run, so one slow or endless site cannot hold the
	// others.
	MaxTime time.Duration
	// Workers is how many of a site's URLs are in flight at once (the
	// per-host spacing still applies); Parallel how many sites are crawled
	// at once.
	Workers  int
	Parallel int
	// Parse reads a document; nil means the pipeline (tests replace it).
	Parse ingest.ParseFunc
	// Progress, if set, gets one line per document and failure.
	Progress io.Writer
	Log      *slog.Logger
	// RetryNow makes the URLs waiting after failures due at once, instead
	// of when their wait ends (a site back up, a setting fixed).
	RetryNow bool
}

// Defaults for Config.
const (
	DefaultMaxPages = 2000
	DefaultMaxBytes = 2 << 30
	DefaultMaxTime  = 2 * time.Hour
)

// retryBase is how long a URL that failed waits before the next try; it
// doubles with each failed run in a row, up to retryMax. Scheduled daily
// runs thus retry a broken link daily for a while, then less often.
const (
	retryBase = time.Hour
	retryMax  = 30 * 24 * time.Hour
)

// Summary is what a run did on one site.
type Summary struct {
	Site        string `json:"site"` // start URL
	Name        string `json:"name,omitempty"`
	Fetched     int    `json:"fetched"`      // responses with a body (200)
	NotModified int    `json:"not_modified"` // 304 answers to conditional GETs
	Reports     int    `json:"reports"`      // documents seen: report pages and attachments
	New         int    `json:"new"`          // documents seen for the first time
	Changed     int    `json:"changed"`      // documents whose bytes changed since the last run
	Unchanged   int    `json:"unchanged"`    // documents unchanged (304 or the same bytes)
	Failed      int    `json:"failed"`
	Skipped     int    `json:"skipped"`  // URLs robots.txt disallows: not fetched, not failures
	Deferred    int    `json:"deferred"` // URLs left alone because they failed recently
	OffSite     int    `json:"off_site"` // links to other hosts, not followed
	Bytes       int64  `json:"bytes"`
	// RetriedNow counts the deferred URLs Config.RetryNow made due.
	RetriedNow int       `json:"retried_now,omitempty"`
	Failures   []Failure `json:"failures,omitempty"`
	// SkippedURLs are the URLs robots.txt disallows (Reason "robots.txt").
	SkippedURLs []Failure `json:"skipped_urls,omitempty"`
	// DeferredURLs are the URLs waiting after failures: when each is due
	// and why it failed.
	DeferredURLs []Deferral `json:"deferred_urls,omitempty"`
	// Documents are the new and changed documents of this run, in the
	// order they were stored.
	Documents []Document `json:"documents,omitempty"`
	// Stopped says why the site was left unfinished (a bound was reached,
	// the run was interrupted); empty when it was done.
	Stopped string `json:"stopped,omitempty"`
}

// Failure is one URL that could not be fetched or stored.
type Failure struct {
	URL    string `json:"url"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
	// Loopback: the address was refused only for being loopback, which
	// fetch.Config.AllowPrivate (crawl --allow-private) allows.
	Loopback bool `json:"loopback,omitempty"`
}

// Deferral is a URL waiting after failures.
type Deferral struct {
	URL      string    `json:"url"`
	Due      time.Time `json:"due"`      // when a run tries it again
	Reason   string    `json:"reason"`   // of the last failure
	Failures int       `json:"failures"` // failed runs in a row
}

// Document is a new or changed document a run stored.
type Document struct {
	URL     string `json:"url"`
	Outcome string `json:"outcome"` // new or changed
	Status  string `json:"status"`
	Agency  string `json:"agency,omitempty"`
	Year    int    `json:"year,omitempty"`
	Version int    `json:"version,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// Result is the outcome of a run.
type Result struct {
	Run      int64
	Resumed  bool // the run continued a killed one
	Started  time.Time
	Finished time.Time // zero when interrupted
	// Queued says the run's URLs are fetched by the queue's workers (a
	// summary read back by LastRun): unfinished, it is still running.
	Queued bool
	Sites  []Summary
}

// Run crawls the sites into st. It holds the database's crawl lock for the
// whole run, so two runs never overlap on one database. A run stopped by
// ctx is resumed by the next Run.
func Run(ctx context.Context, st *store.Store, sites []Site, cfg Config) (*Result, error) {
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = DefaultMaxPages
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 4
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Fetch.Log == nil {
		cfg.Fetch.Log = cfg.Log
	}
	started := time.Now()
	for i, s := range sites {
		u, err := StartURL(s.Start)
		if err != nil {
			return nil, err
		}
		sites[i].Start = u
	}
	unlock, err := LockStore(ctx, st)
	if err != nil {
		return nil, err
	}
	defer unlock()

	run, resumed, err := st.BeginCrawl(ctx)
	if err != nil {
		return nil, err
	}
	if resumed {
		cfg.Log.Info("resuming an interrupted crawl", "run", run)
	}
	c := &crawler{st: st, cfg: cfg, run: run, fetcher: fetch.New(cfg.Fetch)}
	defer c.fetcher.Close()
	how := "started"
	if resumed {
		how = "resumed"
	}
	c.progress("%s crawl run %d %s (%d sites)", started.Format(StampLayout), run, how, len(sites))

	res := &Result{Run: run, Resumed: resumed, Started: started, Sites: make([]Summary, len(sites))}
	sem := make(chan struct{}, cfg.Parallel)
	var wg sync.WaitGroup
	for i := range sites {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			res.Sites[i] = c.site(ctx, sites[i])
		}(i)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("crawl interrupted (run %d resumes next time): %w", run, err)
	}
	if err := st.FinishCrawl(context.WithoutCancel(ctx), run); err != nil {
		return res, err
	}
	res.Finished = time.Now()
	return res, nil
}

// StampLayout is how times are written for a person: with the zone's
// offset, so that a log read on another machine is not ambiguous.
const StampLayout = "2006-01-02 15:04:05 -0700"

// StartURL checks a start URL and drops its fragment; the command checks
// its arguments with it before anything is opened.
func StartURL(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("crawl: start URL %q: want an http(s) URL", s)
	}
	u.Fragment = ""
	return u.String(), nil
}

type crawler struct {
	st      *store.Store
	cfg     Config
	run     int64
	fetcher *fetch.Fetcher
	pmu     sync.Mutex // progress lines
}

// siteRun is the state of one site during a run.
type siteRun struct {
	Site
	allowed  map[string]bool
	maxPages int
	maxBytes int64
	maxTime  time.Duration
	deadline time.Time // zero: no time limit
	mu       sync.Mutex
	sum      Summary
	pages    int
}

func (s *siteRun) allow(host string) bool { return s.allowed[strings.ToLower(host)] }

// SiteDivision is a site's division code: as the sites file gives it, or
// where its organ's name places it, or "" (package queue gives it to the
// jobs of the site).
func SiteDivision(s Site) string { return siteDivision(s) }

// siteDivision is a site's division code: as the sites file gives it, or
// where its organ's name places it, or "".
func siteDivision(s Site) string {
	if s.Division != "" || s.Name == "" {
		return s.Division
	}
	t, err := organ.Bundled()
	if err != nil {
		return ""
	}
	if o := t.Resolve(s.Name, organ.Hint{}); o.Placed() {
		return o.Division.Code
	}
	return ""
}

const batchSize = 64

func (c *crawler) site(ctx context.Context, site Site) Summary {
	start, _ := url.Parse(site.Start)
	s := &siteRun{Site: site, allowed: map[string]bool{strings.ToLower(start.Host): true},
		maxPages: c.cfg.MaxPages, maxBytes: c.cfg.MaxBytes}
	s.sum = Summary{Site: site.Start, Name: site.Name}
	s.Division = siteDivision(site)
	for _, h := range site.Hosts {
		s.allowed[strings.ToLower(h)] = true
	}
	if site.MaxPages > 0 {
		s.maxPages = site.MaxPages
	}
	if site.MaxBytes > 0 {
		s.maxBytes = site.MaxBytes
	}
	s.maxTime = c.cfg.MaxTime
	if site.MaxTime > 0 {
		s.maxTime = site.MaxTime
	}
	if s.maxTime > 0 {
		s.deadline = time.Now().Add(s.maxTime)
	}
	if site.Delay != nil {
		for h := range s.allowed {
			c.fetcher.SetHostDelay(h, *site.Delay)
		}
	}
	if err := c.st.AddToFrontier(ctx, site.Start, []store.FrontierLink{{URL: site.Start, Kind: store.KindListing}}); err != nil {
		s.fail(site.Start, "store", err)
		s.sum.Stopped = "store error"
		return s.sum
	}
	if c.cfg.RetryNow {
		n, err := c.retryNow(ctx, site.Start)
		if err != nil {
			s.fail(site.Start, "store", err)
			s.sum.Stopped = "store error"
			return s.sum
		}
		s.sum.RetriedNow = n
	}
	// Visited by this process: never twice, even when settling failed (then
	// the URL stays due in the store, and stuck counts it).
	done := map[string]bool{}
	var stuck atomic.Int64
	for {
		if ctx.Err() != nil {
			s.sum.Stopped = "interrupted"
			break
		}
		if stop := s.bound(); stop != "" {
			if c.remains(ctx, s, done, int(stuck.Load())) {
				s.sum.Stopped = stop
			}
			break
		}
		items, err := c.st.DueInFrontier(ctx, site.Start, c.run, batchSize+int(stuck.Load()))
		if err != nil {
			if ctx.Err() == nil {
				s.fail(site.Start, "store", err)
				s.sum.Stopped = "store error"
			}
			break
		}
		var todo []store.FrontierItem
		for _, it := range items {
			if !done[it.URL] && len(todo) < batchSize {
				todo = append(todo, it)
			}
		}
		if len(todo) == 0 {
			break
		}
		sem := make(chan struct{}, c.cfg.Workers)
		var wg sync.WaitGroup
		for _, it := range todo {
			if s.bound() != "" || ctx.Err() != nil {
				break
			}
			done[it.URL] = true
			s.mu.Lock()
			s.pages++
			s.mu.Unlock()
			sem <- struct{}{}
			wg.Add(1)
			go func(it store.FrontierItem) {
				defer wg.Done()
				defer func() { <-sem }()
				if !c.visit(ctx, s, it) {
					stuck.Add(1)
				}
			}(it)
		}
		wg.Wait()
	}
	if d, err := c.deferred(context.WithoutCancel(ctx), site.Start); err == nil {
		s.sum.DeferredURLs, s.sum.Deferred = d, len(d)
	}
	sort.Slice(s.sum.Failures, func(i, j int) bool { return s.sum.Failures[i].URL < s.sum.Failures[j].URL })
	sort.Slice(s.sum.SkippedURLs, func(i, j int) bool { return s.sum.SkippedURLs[i].URL < s.sum.SkippedURLs[j].URL })
	return s.sum
}

// retryNow makes the URLs of site that wait after failures due in this
// run; it returns how many.
func (c *crawler) retryNow(ctx context.Context, site string) (int, error) {
	items, err := c.st.FrontierOf(ctx, site)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, it := range items {
		if it.NextTry.IsZero() {
			continue
		}
		it.NextTry = time.Time{}
		// Settled before this run, so that the run picks it up (a failure
		// of a resumed run was settled by it).
		run := min(it.Run, c.run-1)
		if err := c.st.SettleFrontier(ctx, run, it, nil); err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		c.progress("%-9s %d URLs of %s waiting after failures (--retry-now)", "retrying", n, site)
	}
	return n, nil
}

// deferred lists the URLs of site this run left alone because they failed
// in earlier runs and their wait is not over, the soonest due first.
func (c *crawler) deferred(ctx context.Context, site string) ([]Deferral, error) {
	items, err := c.st.FrontierOf(ctx, site)
	if err != nil {
		return nil, err
	}
	return deferrals(items, c.run, time.Now()), nil
}

// deferrals are the frontier rows run left alone because they failed in
// earlier runs and their wait is not over at now, the soonest due first.
func deferrals(items []store.FrontierItem, run int64, now time.Time) []Deferral {
	var out []Deferral
	for _, it := range items {
		if it.Run >= run || it.Due(run, now) {
			continue
		}
		reason, _, _ := strings.Cut(it.Error, ": ")
		out = append(out, Deferral{URL: it.URL, Due: it.NextTry, Reason: reason, Failures: it.Attempts})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out
}

// remains says whether the site still has URLs due in this run.
func (c *crawler) remains(ctx context.Context, s *siteRun, done map[string]bool, stuck int) bool {
	items, err := c.st.DueInFrontier(ctx, s.Start, c.run, stuck+1)
	if err != nil {
		return true
	}
	for _, it := range items {
		if !done[it.URL] {
			return true
		}
	}
	return false
}

// bound says which per-run bound the site has reached, if any.
func (s *siteRun) bound() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.pages >= s.maxPages:
		return fmt.Sprintf("page limit (%d) reached", s.maxPages)
	case s.sum.Bytes >= s.maxBytes:
		return fmt.Sprintf("byte limit (%d) reached", s.maxBytes)
	case s.timeUp():
		return fmt.Sprintf("time limit (%v) reached", s.maxTime)
	}
	return ""
}

// timeUp says the site's time for this run is spent.
func (s *siteRun) timeUp() bool {
	return !s.deadline.IsZero() && !time.Now().Before(s.deadline)
}

func (s *siteRun) fail(u, reason string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sum.Failed++
	f := Failure{URL: u, Reason: reason}
	if err != nil {
		f.Detail = err.Error()
		var ae *fetch.AddrError
		f.Loopback = errors.As(err, &ae) && ae.Loopback()
	}
	s.sum.Failures = append(s.sum.Failures, f)
}

// visit fetches one URL, reads or stores it, and settles it in the
// frontier together with the URLs found on it.
func (c *crawler) visit(ctx context.Context, s *siteRun, it store.FrontierItem) (settled bool) {
	fctx := ctx
	if !s.deadline.IsZero() {
		var cancel context.CancelFunc
		fctx, cancel = context.WithDeadline(ctx, s.deadline)
		defer cancel()
	}
	resp, err := c.fetcher.Get(fctx, fetch.Request{URL: it.URL, ETag: it.ETag, LastModified: it.LastModified, Allowed: s.allow})
	if err != nil {
		if ctx.Err() != nil {
			return false // interrupted: the URL stays due and is fetched on resume
		}
		if fctx.Err() != nil {
			// The site's time ran out: the URL is no failure, it stays due
			// for the next run (bound says why the site stopped).
			return false
		}
		if errors.Is(err, fetch.ErrDisallowed) {
			return c.skipped(ctx, s, it, err)
		}
		reason, status := FailReason(err)
		it.HTTPStatus = status
		return c.failed(ctx, s, it, reason, err)
	}
	s.mu.Lock()
	s.sum.Bytes += int64(len(resp.Body))
	if resp.NotModified {
		s.sum.NotModified++
	} else {
		s.sum.Fetched++
	}
	s.mu.Unlock()

	it.HTTPStatus = resp.Status
	v, err := ReadResponse(it, resp, s.allow)
	if err != nil {
		return c.failed(ctx, s, it, "unreadable page", err)
	}
	s.mu.Lock()
	s.sum.OffSite += v.OffSite
	s.mu.Unlock()
	if v.Outcome == "new" || v.Outcome == "changed" {
		out, err := ingest.One(ctx, c.st, ingest.Input{Source: it.URL, Data: resp.Body, Fetch: &store.Fetch{
			ETag: resp.ETag, LastModified: resp.LastModified, ContentType: resp.ContentType, FetchedAt: time.Now()},
			Division: s.Division},
			ingest.Options{Parse: c.cfg.Parse})
		if err != nil {
			if ctx.Err() != nil {
				return false
			}
			return c.failed(ctx, s, it, "ingest", err)
		}
		c.progress("%-9s %s (%s)", v.Outcome, it.URL, describe(out))
		s.mu.Lock()
		s.sum.Documents = append(s.sum.Documents, Document{URL: it.URL, Outcome: v.Outcome, Status: string(out.Status),
			Agency: out.Agency, Year: out.Year, Version: out.Version, Reason: out.Reason})
		s.mu.Unlock()
	}
	it = v.Settled(it, resp)
	if err := c.st.SettleFrontier(context.WithoutCancel(ctx), c.run, it, v.Found); err != nil {
		s.fail(it.URL, "store", err)
		return false
	}
	s.mu.Lock()
	if v.IsDoc() {
		s.sum.Reports++
		switch v.Outcome {
		case "new":
			s.sum.New++
		case "changed":
			s.sum.Changed++
		default:
			s.sum.Unchanged++
		}
	}
	s.mu.Unlock()
	return true
}

// Visit is what a response makes of a frontier URL (ReadResponse): the
// links found on it, whether it is a document, and the outcome its
// frontier row records.
type Visit struct {
	// Found are the links to fetch, on the allowed hosts; OffSite counts
	// those elsewhere, not followed.
	Found   []store.FrontierLink
	OffSite int
	// Outcome is "fetched" (not a document), or of a document
	// "not_modified", "new", "changed" or "unchanged": new and changed
	// ones are to be stored.
	Outcome string
	// SHA256 is the body's hash for a document (the stored one after a
	// 304), "" otherwise.
	SHA256 string
}

// ReadResponse reads the response to a frontier URL as a crawl does (the
// one-process crawl and the queue's fetch jobs): a listing's report links
// and next pages, a report page's attachments; an error is an unreadable
// page.
func ReadResponse(it store.FrontierItem, resp *fetch.Response, allow func(host string) bool) (Visit, error) {
	var v Visit
	isDoc := it.Kind == store.KindAttachment
	switch {
	case resp.NotModified:
		isDoc = it.SHA256 != "" // a document last time, and still the same
	case it.Kind != store.KindAttachment:
		page, err := ParsePage(resp.URL, resp.Body, resp.ContentType)
		if err != nil {
			return v, err
		}
		v.Found, v.OffSite = links(it.Kind, page, allow)
		// A report page is the report unless it links to attachments we may fetch.
		isDoc = it.Kind == store.KindPage && (page.ReportBody || len(v.Found) == 0)
	}
	switch {
	case !isDoc:
		v.Outcome = "fetched" // not a document: no hash to compare next time
		return v, nil
	case resp.NotModified:
		v.Outcome, v.SHA256 = "not_modified", it.SHA256
		return v, nil
	}
	// Only a document's body is hashed: a listing's never is.
	h := sha256.Sum256(resp.Body)
	v.SHA256 = hex.EncodeToString(h[:])
	switch {
	case it.SHA256 == "":
		v.Outcome = "new"
	case it.SHA256 != v.SHA256:
		v.Outcome = "changed"
	default:
		v.Outcome = "unchanged"
	}
	return v, nil
}

// IsDoc says the URL is a document: an attachment, a report page with
// the report in it, or (a 304) a document last time.
func (v Visit) IsDoc() bool { return v.Outcome != "fetched" }

// Settled is the frontier row of a URL visited: done, with the response's
// validators and hash (a 304 keeps the stored ones) and v's outcome.
func (v Visit) Settled(it store.FrontierItem, resp *fetch.Response) store.FrontierItem {
	it.HTTPStatus = resp.Status
	it.State, it.Attempts, it.NextTry, it.Error, it.Outcome = store.StateDone, 0, time.Time{}, "", v.Outcome
	if !resp.NotModified {
		it.ETag, it.LastModified, it.SHA256 = resp.ETag, resp.LastModified, v.SHA256
	}
	return it
}

// links turns what a page of kind offers into frontier links on the
// allowed hosts; offsite counts the links elsewhere.
func links(kind string, page *Page, allow func(host string) bool) (out []store.FrontierLink, offsite int) {
	add := func(u, kind, title string) {
		p, err := url.Parse(u)
		if err != nil {
			return
		}
		if !allow(p.Host) {
			offsite++
			return
		}
		out = append(out, store.FrontierLink{URL: u, Kind: kind, Title: title})
	}
	switch kind {
	case store.KindListing:
		for _, p := range page.Pages {
			add(p, store.KindListing, "")
		}
		for _, r := range page.Reports {
			kind := store.KindPage
			if IsAttachment(r.URL) {
				kind = store.KindAttachment
			}
			add(r.URL, kind, r.Text)
		}
	case store.KindPage:
		for _, a := range page.Attachments {
			add(a.URL, store.KindAttachment, a.Text)
		}
	}
	return out, offsite
}

// FailReason is the reason a summary gives for a failed fetch, and the
// HTTP status when there was one.
func FailReason(err error) (reason string, status int) {
	var fe *fetch.Error
	if errors.As(err, &fe) {
		return fe.Reason, fe.Status
	}
	return "error", 0
}

// Skipped is the frontier row of a URL robots.txt disallows: done, not a
// failure and not deferred — the next run asks robots.txt again (which
// costs the site no request for the URL) and fetches it if the rule is
// gone.
func Skipped(it store.FrontierItem) store.FrontierItem {
	it.State, it.Attempts, it.NextTry, it.Outcome, it.Error = store.StateDone, 0, time.Time{}, "robots.txt", ""
	return it
}

// Failed is the frontier row of a URL that could not be fetched or
// stored at now: it waits retryBase·2^(n-1) after its n-th failed run in a
// row. A refused address does not wait: no request reached anything, and
// the refusal may be a setting of this run (--allow-private) that the
// next run changes.
func Failed(it store.FrontierItem, reason string, err error, now time.Time) store.FrontierItem {
	it.State = store.StateFailed
	it.Attempts++
	wait := retryBase << min(it.Attempts-1, 20)
	if wait > retryMax || wait <= 0 {
		wait = retryMax
	}
	it.NextTry = now.Add(wait)
	if errors.Is(err, fetch.ErrRefusedAddress) {
		it.NextTry = time.Time{}
	}
	it.Outcome = "failed"
	it.Error = reason
	if err != nil {
		it.Error = reason + ": " + err.Error()
	}
	return it
}

// skipped settles a URL robots.txt disallows (Skipped).
func (c *crawler) skipped(ctx context.Context, s *siteRun, it store.FrontierItem, err error) bool {
	s.mu.Lock()
	s.sum.Skipped++
	s.sum.SkippedURLs = append(s.sum.SkippedURLs, Failure{URL: it.URL, Reason: "robots.txt", Detail: err.Error()})
	s.mu.Unlock()
	c.progress("%-9s %s (robots.txt)", "skipped", it.URL)
	it = Skipped(it)
	if err := c.st.SettleFrontier(context.WithoutCancel(ctx), c.run, it, nil); err != nil {
		s.fail(it.URL, "store", err)
		return false
	}
	return true
}

// failed settles a URL that could not be fetched or stored (Failed).
func (c *crawler) failed(ctx context.Context, s *siteRun, it store.FrontierItem, reason string, err error) bool {
	s.fail(it.URL, reason, err)
	c.progress("%-9s %s (%s)", "failed", it.URL, reason)
	it = Failed(it, reason, err, time.Now())
	if err := c.st.SettleFrontier(context.WithoutCancel(ctx), c.run, it, nil); err != nil {
		s.fail(it.URL, "store", err)
		return false
	}
	return true
}

func (c *crawler) progress(format string, a ...any) {
	if c.cfg.Progress == nil {
		return
	}
	c.pmu.Lock()
	fmt.Fprintf(c.cfg.Progress, format+"\n", a...)
	c.pmu.Unlock()
}

// describe says in a few words what the store made of a document.
func describe(o store.Outcome) string {
	var b strings.Builder
	b.WriteString(string(o.Status))
	if o.Agency != "" || o.Year != 0 {
		fmt.Fprintf(&b, ", %s %d", o.Agency, o.Year)
	}
	if o.Version > 1 {
		fmt.Fprintf(&b, ", version %d", o.Version)
	}
	if o.Reason != "" {
		b.WriteString(": " + o.Reason)
	}
	return b.String()
}
