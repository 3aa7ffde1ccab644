package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/fetch"
	"github.com/nianbao/nianbao/queue"
	"github.com/nianbao/nianbao/store"
)

func init() {
	register(command{Name: "crawl", Summary: "find and fetch the annual reports of government sites into the database", Run: runCrawl,
		GC: storeGC})
}

func runCrawl(ctx context.Context, env *Env, args []string) error {
	fl := newFlags("crawl", "usage: nianbao crawl [--db FILE] [flags] URL...\n       nianbao crawl [--db FILE] [flags] --sites FILE\n\n"+
		"Crawls each site's annual-report column (a start URL): follows the listing pages,\n"+
		"fetches the report pages and their attachments, and stores every document in the\n"+
		"database (default nianbao.db, or $NIANBAO_DB). Politeness: one request per host every\n"+
		"--delay, robots.txt honoured, retries with backoff. A second run sends conditional GETs\n"+
		"and stores only what changed; a killed run resumes where it stopped. Only one crawl\n"+
		"runs on a database at a time. Prints a summary per site on stdout.\n\n"+
		"With a PostgreSQL --db (or --queue) the sites are enqueued instead, as one crawl run, for\n"+
		"the workers (nianbao worker) to fetch and parse; --here crawls in this process.")
	db := storeDBFlag(fl.FlagSet, env)
	sitesFile := fl.String("sites", "", "read the sites from this `FILE` (one start URL per line, optional name=… delay=… max-pages=… max-bytes=… hosts=…)")
	def := fetch.DefaultConfig()
	delay := fl.Duration("delay", def.Delay, "minimum interval between two requests to one host (0: none, for local tests)")
	allowPrivate := fl.Bool("allow-private", false, "allow loopback addresses (a local demo or test site); other private addresses stay refused")
	contact := fl.String("contact", env.Getenv("NIANBAO_CONTACT"), "how site operators can reach you (an e-mail or URL), put in the User-Agent (default $NIANBAO_CONTACT)")
	userAgent := fl.String("user-agent", "", "the whole User-Agent header (overrides --contact)")
	timeout := fl.Duration("timeout", def.Timeout, "time limit of one request, body included")
	retries := fl.Int("retries", def.Retries, "retries of a request after a 5xx, timeout or connection error")
	backoff := fl.Duration("backoff", def.Backoff, "wait before the first retry; it doubles with each retry, with jitter")
	maxSize := fl.String("max-size", "64MB", "largest document fetched")
	maxPages := fl.Int("max-pages", crawl.DefaultMaxPages, "requests per site per run (the rest waits for the next run)")
	maxBytes := fl.String("max-bytes", "2GB", "bytes downloaded per site per run")
	siteTime := fl.Duration("site-time", crawl.DefaultMaxTime, "time per site per run (the rest waits for the next run)")
	rf := addReadFlags(fl)
	jsonOut := fl.Bool("json", false, "print the summary as JSON")
	strict := fl.Bool("strict", false, "exit with status 1 when a URL failed (for cron and systemd, which report a failed run)")
	retryNow := fl.Bool("retry-now", false, "fetch the URLs that wait after failures now, instead of when their wait ends")
	quiet := fl.Bool("q", false, "no progress on stderr")
	queueDB := queueFlag(fl.FlagSet)
	status := fl.Bool("status", false, "print the summary of the last crawl run of the sites instead of crawling (a run enqueued for the workers too: what they have done so far)")
	here := fl.Bool("here", false, "crawl in this process even when --db (or --queue) is a PostgreSQL database, instead of enqueueing the sites for the workers")
	urls, err := fl.parse(env, args)
	if err != nil {
		return err
	}
	var sites []crawl.Site
	switch {
	case *sitesFile != "" && len(urls) > 0:
		return usageError("give either --sites FILE or start URLs, not both")
	case *sitesFile != "":
		f, err := os.Open(*sitesFile)
		if errors.Is(err, fs.ErrNotExist) {
			return usageError("--sites %s: no such file", *sitesFile)
		}
		if err != nil {
			return err
		}
		sites, err = crawl.ParseSites(f, *sitesFile)
		f.Close()
		if err != nil {
			return usageError("%v", err)
		}
		if len(sites) == 0 {
			return usageError("%s lists no site", *sitesFile)
		}
	case len(urls) > 0:
		for _, u := range urls {
			start, err := crawl.StartURL(u)
			if err != nil {
				return usageError("%v", err)
			}
			sites = append(sites, crawl.Site{Start: start})
		}
	default:
		return usageError("no start URL given (or --sites FILE)")
	}
	switch {
	case *delay < 0:
		return usageError("--delay must not be negative (got %s)", *delay)
	case *timeout <= 0:
		return usageError("--timeout must be positive (got %s)", *timeout)
	case *retries < 0:
		return usageError("--retries must not be negative (got %d)", *retries)
	case *backoff < 0:
		return usageError("--backoff must not be negative (got %s)", *backoff)
	}
	size, err := crawl.ParseBytes(*maxSize)
	if err != nil {
		return usageError("--max-size: %v", err)
	}
	budget, err := crawl.ParseBytes(*maxBytes)
	if err != nil {
		return usageError("--max-bytes: %v", err)
	}
	if err := positive("--max-pages", *maxPages); err != nil {
		return err
	}
	if *siteTime <= 0 {
		return usageError("--site-time must be positive (got %s)", *siteTime)
	}
	qdsn, err := queueDSN(*db, *queueDB)
	if err != nil {
		return err
	}
	if *status {
		return crawlStatus(ctx, env, *db, qdsn != "" && !*here, sites, *jsonOut)
	}
	if qdsn != "" && !*here {
		return enqueueCrawl(ctx, env, fl, *db, qdsn, sites, *delay, *maxPages, *jsonOut)
	}
	ua := userAgentOf(env, "crawl", *userAgent, *contact, *allowPrivate)

	if err := checkDB(*db); err != nil {
		return err
	}
	if qdsn != "" {
		// A run the workers are fetching is not taken over by this process.
		n, err := queue.FetchesLeft(ctx, qdsn)
		if err != nil {
			return err
		}
		if n > 0 {
			return &exitError{code: 3, err: fmt.Errorf("%w: %d fetch jobs of an enqueued crawl run are left on %s (nianbao crawl --status)",
				crawl.ErrLocked, n, queueName(qdsn))}
		}
	}
	ctx = rf.apply(ctx, env)
	st, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	cfg := crawl.Config{
		MaxTime: *siteTime,
		Fetch: fetch.Config{UserAgent: ua, Delay: *delay, Timeout: *timeout, MaxBytes: size, Retries: *retries,
			Backoff: *backoff, AllowPrivate: *allowPrivate, Log: env.Log},
		MaxPages: *maxPages,
		MaxBytes: budget,
		Log:      env.Log,
		RetryNow: *retryNow,
	}
	if !*quiet {
		cfg.Progress = &safeWriter{w: env.Stderr} // URLs and organ names from the web
	}
	res, err := crawl.Run(ctx, st, sites, cfg)
	if res != nil {
		var werr error
		if *jsonOut {
			werr = writeCrawlJSON(env.Stdout, res, *db)
		} else {
			werr = writeCrawlSummary(&safeWriter{w: env.Stdout}, res, *db)
		}
		if err == nil {
			err = werr
		}
	}
	if err != nil {
		if errors.Is(err, crawl.ErrLocked) {
			return &exitError{code: 3, err: err}
		}
		return err
	}
	if *strict {
		for _, s := range res.Sites {
			if s.Failed > 0 {
				return silentExit(1)
			}
		}
	}
	return nil
}

// crawlListMax bounds each list of a site in the text summary (documents,
// failures, deferred URLs …); --json lists everything.
const crawlListMax = 50

func writeCrawlSummary(w io.Writer, res *crawl.Result, db string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pages\t304\treports\tnew\tchanged\tunchanged\tfailed\tskipped\tdeferred\t\tsite")
	var tot crawl.Summary
	for _, s := range res.Sites {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\t%s\n", s.Fetched, s.NotModified, s.Reports, s.New, s.Changed,
			s.Unchanged, s.Failed, s.Skipped, s.Deferred, crawlSiteName(s))
		tot.Fetched += s.Fetched
		tot.NotModified += s.NotModified
		tot.Reports += s.Reports
		tot.New += s.New
		tot.Changed += s.Changed
		tot.Unchanged += s.Unchanged
		tot.Failed += s.Failed
		tot.Skipped += s.Skipped
		tot.Deferred += s.Deferred
	}
	if len(res.Sites) > 1 {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\t%s\n", tot.Fetched, tot.NotModified, tot.Reports, tot.New, tot.Changed,
			tot.Unchanged, tot.Failed, tot.Skipped, tot.Deferred, "total")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	loopback := false
	for _, s := range res.Sites {
		if len(s.Documents)+len(s.Failures)+len(s.SkippedURLs)+len(s.DeferredURLs) == 0 && s.Stopped == "" {
			continue
		}
		fmt.Fprintf(w, "\n%s\n", crawlSiteName(s))
		if s.Stopped != "" {
			fmt.Fprintf(w, "  stopped: %s (the rest is fetched by the next run)\n", s.Stopped)
		}
		// listed prints up to crawlListMax lines of one kind.
		listed := func(n int, line func(i int)) {
			for i := range min(n, crawlListMax) {
				line(i)
			}
			if n > crawlListMax {
				fmt.Fprintf(w, "  … and %d more (--json lists them all)\n", n-crawlListMax)
			}
		}
		listed(len(s.Documents), func(i int) {
			d := s.Documents[i]
			fmt.Fprintf(w, "  %-9s %s (%s)\n", d.Outcome, d.URL, crawlDescribe(d))
		})
		listed(len(s.Failures), func(i int) {
			f := s.Failures[i]
			loopback = loopback || f.Loopback
			fmt.Fprintf(w, "  %-9s %-18s %s\n", "failed", f.Reason, f.URL)
		})
		listed(len(s.SkippedURLs), func(i int) {
			fmt.Fprintf(w, "  %-9s %-18s %s\n", "skipped", "robots.txt", s.SkippedURLs[i].URL)
		})
		listed(len(s.DeferredURLs), func(i int) {
			d := s.DeferredURLs[i]
			runs := "1 run"
			if d.Failures != 1 {
				runs = fmt.Sprintf("%d runs in a row", d.Failures)
			}
			fmt.Fprintf(w, "  %-9s until %s (%s; failed %s)  %s\n", "deferred", d.Due.Format(crawl.StampLayout), d.Reason, runs, d.URL)
		})
		if len(s.DeferredURLs) > 0 {
			fmt.Fprintln(w, "  (a deferred URL is tried again by the first run after it is due; --retry-now tries it at once)")
		}
	}
	if loopback {
		fmt.Fprintln(w, "\nrefused address: a loopback address (127.0.0.1, ::1) is refused unless --allow-private (a local demo or test site)")
	}
	how := "finished " + res.Finished.Format(crawl.StampLayout)
	elapsed := res.Finished.Sub(res.Started)
	switch {
	case res.Finished.IsZero() && res.Queued:
		how = "not finished yet (the workers are fetching it)"
		elapsed = time.Since(res.Started)
	case res.Finished.IsZero():
		how = "interrupted (the next crawl resumes it)"
		elapsed = time.Since(res.Started)
	case res.Resumed:
		how = "resumed and " + how
	}
	_, err := fmt.Fprintf(w, "\ncrawl run %d started %s, %s (%s); database %s\n", res.Run, res.Started.Format(crawl.StampLayout),
		how, elapsed.Round(time.Millisecond), db)
	return err
}

func crawlSiteName(s crawl.Summary) string {
	if s.Name != "" {
		return s.Name + "  " + s.Site
	}
	return s.Site
}

// crawlDescribe says in a few words what was read from a document.
func crawlDescribe(d crawl.Document) string {
	var b strings.Builder
	b.WriteString(d.Status)
	if d.Agency != "" || d.Year != 0 {
		fmt.Fprintf(&b, ", %s %d", d.Agency, d.Year)
	}
	if d.Version > 1 {
		fmt.Fprintf(&b, ", version %d", d.Version)
	}
	if d.Reason != "" {
		b.WriteString(": " + d.Reason)
	}
	return b.String()
}

// writeCrawlJSON writes the summary as one JSON object: the run, its start
// and end (RFC 3339 with the zone offset; finished is null when the run was
// interrupted) and per site the counts and lists, the new and changed
// documents with the organ and year read from them included.
func writeCrawlJSON(w io.Writer, res *crawl.Result, db string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	// Whole seconds: "seconds" has the precision.
	started := res.Started.Truncate(time.Second)
	var finished *time.Time
	end := time.Now()
	if !res.Finished.IsZero() {
		f := res.Finished.Truncate(time.Second)
		finished, end = &f, res.Finished
	}
	return enc.Encode(struct {
		Run      int64           `json:"run"`
		Resumed  bool            `json:"resumed"`
		Database string          `json:"database"`
		Started  time.Time       `json:"started"`
		Finished *time.Time      `json:"finished"`
		Seconds  float64         `json:"seconds"`
		Sites    []crawl.Summary `json:"sites"`
	}{res.Run, res.Resumed, db, started, finished, end.Sub(res.Started).Seconds(), res.Sites})
}

// queueCrawlFlags are the flags of a crawl in one process: with the work
// queue they belong to the workers (or do not apply), and are refused
// rather than ignored.
var queueCrawlFlags = map[string]string{
	"allow-private": "a setting of the workers (nianbao worker --allow-private)",
	"contact":       "a setting of the workers (nianbao worker --contact)",
	"user-agent":    "a setting of the workers (nianbao worker --user-agent)",
	"timeout":       "a setting of the workers (nianbao worker --timeout)",
	"retries":       "a setting of the workers (nianbao worker --retries)",
	"backoff":       "a setting of the workers (nianbao worker --backoff)",
	"max-size":      "a setting of the workers (nianbao worker --max-size)",
	"limit":         "a setting of the workers (nianbao worker --limit)",
	"max-bytes":     "a bound of a crawl in one process (--here)",
	"site-time":     "a bound of a crawl in one process (--here)",
	"retry-now":     "a setting of a crawl in one process (--here)",
	"strict":        "a setting of a crawl in one process (--here)",
}

// enqueueCrawl puts the sites on the work queue as one crawl run. An
// explicit --delay is given to every site that sets none.
func enqueueCrawl(ctx context.Context, env *Env, fl *cmdFlags, db, dsn string, sites []crawl.Site, delay time.Duration, maxPages int, jsonOut bool) error {
	var refused error
	fl.Visit(func(f *flag.Flag) {
		if why, ok := queueCrawlFlags[f.Name]; ok && refused == nil {
			refused = usageError("--%s is %s; the sites go to the work queue of %s", f.Name, why, queueName(dsn))
		}
		if f.Name == "delay" {
			for i := range sites {
				if sites[i].Delay == nil {
					sites[i].Delay = &delay
				}
			}
		}
	})
	if refused != nil {
		return refused
	}
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	q, err := queue.Open(ctx, dsn, env.Log)
	if err != nil {
		return err
	}
	defer q.Close()
	res, err := q.EnqueueCrawl(ctx, st, sites, maxPages)
	if errors.Is(err, crawl.ErrLocked) {
		return &exitError{code: 3, err: err}
	}
	if err != nil {
		return err
	}
	if jsonOut {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			Run      int64  `json:"run"`
			Resumed  bool   `json:"resumed"`
			Queue    string `json:"queue"`
			Sites    int    `json:"sites"`
			Enqueued int    `json:"enqueued"`
			URLs     int    `json:"urls"`
			Deferred int    `json:"deferred"`
		}{res.Run, res.Resumed, queueName(dsn), len(sites), res.Sites, res.URLs, res.Deferred})
	}
	how := "started"
	if res.Resumed {
		how = "resumed"
	}
	already := ""
	if res.Sites < len(sites) {
		already = fmt.Sprintf(" (%d had nothing new to queue)", len(sites)-res.Sites)
	}
	deferred := ""
	if res.Deferred > 0 {
		deferred = fmt.Sprintf(", %d waiting after failures", res.Deferred)
	}
	_, err = fmt.Fprintf(env.Stdout, "crawl run %d %s: %d URLs of %d of %d sites enqueued on %s%s%s; the workers (nianbao worker) fetch and parse them\n",
		res.Run, how, res.URLs, res.Sites, len(sites), queueName(dsn), already, deferred)
	return err
}

// crawlStatus prints the summary of the last crawl run of sites, read
// back from the frontier: for a run the workers fetch (queued), what they
// have done so far.
func crawlStatus(ctx context.Context, env *Env, db string, queued bool, sites []crawl.Site, jsonOut bool) error {
	if err := checkDB(db); err != nil {
		return err
	}
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := crawl.LastRun(ctx, st, sites)
	if err != nil {
		return err
	}
	res.Queued = queued
	if jsonOut {
		return writeCrawlJSON(env.Stdout, res, db)
	}
	return writeCrawlSummary(&safeWriter{w: env.Stdout}, res, db)
}

// queueName is a queue database's address without its password.
func queueName(dsn string) string { return queue.Redact(dsn) }
