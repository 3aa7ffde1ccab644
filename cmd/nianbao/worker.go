package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/fetch"
	"github.com/nianbao/nianbao/queue"
	"github.com/nianbao/nianbao/store"
)

func init() {
	register(command{Name: "worker", Summary: "run the crawl and parse jobs of the PostgreSQL work queue, with other workers on any machines", Run: runWorker,
		GC: storeGC})
}

func runWorker(ctx context.Context, env *Env, args []string) error {
	fl := newFlags("worker", "usage: nianbao worker --db postgres://… [--fetch N] [--parse N] [flags]\n\n"+
		"Runs the jobs `nianbao crawl` and `nianbao ingest` enqueue on a PostgreSQL database:\n"+
		"fetching URLs (listing pages, report pages, documents) and parsing documents into the\n"+
		"store, until interrupted (SIGINT or SIGTERM: the running jobs are finished first). Any\n"+
		"number of workers, on any machines, share the work; one request at a time per host,\n"+
		"every --delay, holds across all of them. A worker killed mid-job has its job run\n"+
		"again by another.")
	db := storeDBFlag(fl.FlagSet, env)
	queueDB := queueFlag(fl.FlagSet)
	nFetch := fl.Int("fetch", 8, "`N` fetch jobs at once (0: fetch nothing, parse only)")
	nParse := fl.Int("parse", runtime.GOMAXPROCS(0), "`N` parse jobs at once (0: parse nothing, fetch only; default: the number of cores)")
	def := fetch.DefaultConfig()
	delay := fl.Duration("delay", def.Delay, "minimum interval between two requests to one host, across all workers (a site's delay= in the sites file overrides it)")
	allowPrivate := fl.Bool("allow-private", false, "allow loopback addresses (a local demo or test site); other private addresses stay refused")
	contact := fl.String("contact", env.Getenv("NIANBAO_CONTACT"), "how site operators can reach you (an e-mail or URL), put in the User-Agent (default $NIANBAO_CONTACT)")
	userAgent := fl.String("user-agent", "", "the whole User-Agent header (overrides --contact)")
	timeout := fl.Duration("timeout", def.Timeout, "time limit of one request, body included")
	retries := fl.Int("retries", def.Retries, "retries of a request after a 5xx, timeout or connection error, within one try of the job")
	backoff := fl.Duration("backoff", def.Backoff, "wait before the first retry; it doubles with each retry, with jitter")
	maxSize := fl.String("max-size", "64MB", "largest document fetched")
	maxWait := fl.Duration("max-wait", 5*time.Second, "longest a fetch job waits for its host's turn; a turn further off puts the job back until then")
	rf := addReadFlags(fl)
	rest, err := fl.parse(env, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest, "the database is --db"); err != nil {
		return err
	}
	qdsn, err := queueDSN(*db, *queueDB)
	if err != nil {
		return err
	}
	if qdsn == "" {
		return usageError("a worker needs a PostgreSQL database: --db postgres://… (or --queue postgres://… beside a SQLite --db every worker can reach)")
	}
	switch {
	case *nFetch < 0 || *nParse < 0:
		return usageError("--fetch and --parse must not be negative")
	case *nFetch == 0 && *nParse == 0:
		return usageError("--fetch 0 and --parse 0: the worker would do nothing")
	case *delay < 0:
		return usageError("--delay must not be negative (got %s)", *delay)
	case *timeout <= 0:
		return usageError("--timeout must be positive (got %s)", *timeout)
	case *retries < 0:
		return usageError("--retries must not be negative (got %d)", *retries)
	case *backoff < 0:
		return usageError("--backoff must not be negative (got %s)", *backoff)
	case *maxWait < 0:
		return usageError("--max-wait must not be negative (got %s)", *maxWait)
	}
	size, err := crawl.ParseBytes(*maxSize)
	if err != nil {
		return usageError("--max-size: %v", err)
	}
	ua := userAgentOf(env, "worker", *userAgent, *contact, *allowPrivate)
	if err := checkDB(*db); err != nil {
		return err
	}

	ctx = rf.apply(ctx, env)
	log := env.Log
	if !*rf.debug {
		// A worker is a service: what it does goes to its journal.
		log = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	st, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	budget := rf.budget.b
	err = queue.Work(ctx, qdsn, queue.WorkerConfig{
		Store: st,
		Fetch: fetch.Config{UserAgent: ua, Delay: *delay, Timeout: *timeout, MaxBytes: size, Retries: *retries,
			Backoff: *backoff, AllowPrivate: *allowPrivate},
		FetchWorkers: *nFetch,
		ParseWorkers: *nParse,
		Budget:       &budget,
		MaxWait:      max(*maxWait, time.Millisecond),
		Log:          log,
	})
	if err != nil {
		return err
	}
	return nil
}

// queueFlag declares --queue.
func queueFlag(fl *flag.FlagSet) *string {
	return fl.String("queue", "", "the PostgreSQL database of the work queue, `postgres://…` (default: --db when it is one)")
}

// queueDSN says which database holds the work queue: --queue, or --db
// when that is PostgreSQL; "" when there is none (work in one process).
func queueDSN(db, q string) (string, error) {
	switch {
	case q != "" && !store.IsPostgres(q):
		return "", usageError("--queue %s: want a postgres:// address", q)
	case q != "":
		return q, nil
	case store.IsPostgres(db):
		return db, nil
	}
	return "", nil
}

// userAgentOf is the User-Agent of a crawling command: --user-agent, or
// the default with --contact put in (a warning when there is none).
func userAgentOf(env *Env, cmd, userAgent, contact string, allowPrivate bool) string {
	if userAgent != "" {
		return userAgent
	}
	ua := fetch.DefaultUserAgent
	if contact != "" {
		return strings.Replace(ua, "CONTACT-EMAIL-HERE", contact, 1)
	}
	if !allowPrivate {
		fmt.Fprintf(env.Stderr, "nianbao %s: no --contact given: the User-Agent carries a placeholder; set --contact or $NIANBAO_CONTACT before crawling real sites\n", cmd)
	}
	return ua
}
