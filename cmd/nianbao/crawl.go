package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/fetch"
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
		"runs on a database at a time. Prints a summary per site on stdout.")
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
	jsonOut := fl.Bool("json", false, "print the summary as JSON")
	strict := fl.Bool("strict", false, "exit with status 1 when a URL failed")
	quiet := fl.Bool("q", false, "no progress on stderr")
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
	ua := *userAgent
	if ua == "" {
		ua = fetch.DefaultUserAgent
		if *contact != "" {
			ua = strings.Replace(ua, "CONTACT-EMAIL-HERE", *contact, 1)
		} else if !*allowPrivate {
			fmt.Fprintln(env.Stderr, "nianbao crawl: no --contact given: the User-Agent carries a placeholder; set --contact or $NIANBAO_CONTACT before crawling real sites")
		}
	}

	if err := checkDBFolder(*db); err != nil {
		return err
	}
	st, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	cfg := crawl.Config{
		Fetch: fetch.Config{UserAgent: ua, Delay: *delay, Timeout: *timeout, MaxBytes: size, Retries: *retries,
			Backoff: *backoff, AllowPrivate: *allowPrivate, Log: env.Log},
		MaxPages: *maxPages,
		MaxBytes: budget,
		Log:      env.Log,
	}
	if !*quiet {
		cfg.Progress = env.Stderr
	}
	start := time.Now()
	res, err := crawl.Run(ctx, st, sites, cfg)
	if res != nil {
		var werr error
		if *jsonOut {
			werr = writeCrawlJSON(env.Stdout, res, *db, time.Since(start))
		} else {
			werr = writeCrawlSummary(env.Stdout, res, *db, time.Since(start), err == nil)
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

func writeCrawlSummary(w io.Writer, res *crawl.Result, db string, elapsed time.Duration, finished bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pages\t304\treports\tnew\tchanged\tunchanged\tfailed\tdeferred\t\tsite")
	var tot crawl.Summary
	for _, s := range res.Sites {
		name := s.Site
		if s.Name != "" {
			name = s.Name + "  " + s.Site
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\t%s\n", s.Fetched, s.NotModified, s.Reports, s.New, s.Changed,
			s.Unchanged, s.Failed, s.Deferred, name)
		tot.Fetched += s.Fetched
		tot.NotModified += s.NotModified
		tot.Reports += s.Reports
		tot.New += s.New
		tot.Changed += s.Changed
		tot.Unchanged += s.Unchanged
		tot.Failed += s.Failed
		tot.Deferred += s.Deferred
	}
	if len(res.Sites) > 1 {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\t%s\n", tot.Fetched, tot.NotModified, tot.Reports, tot.New, tot.Changed,
			tot.Unchanged, tot.Failed, tot.Deferred, "total")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range res.Sites {
		if len(s.Failures) == 0 && s.Stopped == "" {
			continue
		}
		fmt.Fprintf(w, "\n%s\n", s.Site)
		if s.Stopped != "" {
			fmt.Fprintf(w, "  stopped: %s (the rest is fetched by the next run)\n", s.Stopped)
		}
		for _, f := range s.Failures {
			fmt.Fprintf(w, "  failed  %-18s %s\n", f.Reason, f.URL)
		}
	}
	how := "finished"
	switch {
	case !finished:
		how = "interrupted (the next crawl resumes it)"
	case res.Resumed:
		how = "resumed and finished"
	}
	_, err := fmt.Fprintf(w, "\ncrawl run %d %s in %s; database %s\n", res.Run, how, elapsed.Round(time.Millisecond), db)
	return err
}

func writeCrawlJSON(w io.Writer, res *crawl.Result, db string, elapsed time.Duration) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Run      int64           `json:"run"`
		Resumed  bool            `json:"resumed"`
		Database string          `json:"database"`
		Seconds  float64         `json:"seconds"`
		Sites    []crawl.Summary `json:"sites"`
	}{res.Run, res.Resumed, db, elapsed.Seconds(), res.Sites})
}
