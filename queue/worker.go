package queue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/fetch"
	"github.com/nianbao/nianbao/ingest"
	"github.com/nianbao/nianbao/store"
)

// WorkerConfig tunes a worker process.
type WorkerConfig struct {
	// Store is where documents are archived and reports written.
	Store *store.Store
	// Fetch configures the fetcher (its Gate is the queue's).
	Fetch fetch.Config
	// FetchWorkers and ParseWorkers are how many jobs of each queue run
	// at once; 0 leaves the queue to other workers.
	FetchWorkers, ParseWorkers int
	// Parse reads a document; nil means the pipeline.
	Parse ingest.ParseFunc
	// Budget, when set, bounds the reading of each document.
	Budget *nianbao.Budget
	// MaxWait is the longest a fetch job waits for its host's turn before
	// it is snoozed (default 5 s).
	MaxWait time.Duration
	// FetchTimeout and ParseTimeout bound a job (defaults: 10 minutes;
	// the budget's time and a minute).
	FetchTimeout, ParseTimeout time.Duration
	// RescueAfter is how long a job may run before River takes its worker
	// for dead and runs it again (default: the longest job timeout and
	// 10 minutes). Tests make it short.
	RescueAfter time.Duration
	// StopTimeout is how long a stop waits for the running jobs before it
	// cuts them off (they are then run again by another worker).
	StopTimeout time.Duration
	// RecheckPeriod is how often at most the cross-year rules are
	// checked again while documents are written (default RecheckPeriod).
	RecheckPeriod time.Duration
	// HostLease is how long a request holds its host at most, should its
	// worker die (default: the fetch timeout and 10 s).
	HostLease time.Duration
	// PollInterval is how often the worker looks for jobs besides being
	// told of new ones (River's FetchPollInterval, default 1 s): snoozed
	// jobs are found by it.
	PollInterval time.Duration
	Log          *slog.Logger
	// Ready, if set, is called once the worker is working, with its River
	// client's id.
	Ready func(id string)
}

// Work runs jobs from the queue at dsn until ctx ends, then stops
// gracefully: no new job is taken, running jobs get StopTimeout to
// finish, and those cut off are made available again at once.
func Work(ctx context.Context, dsn string, cfg WorkerConfig) error {
	if cfg.Store == nil {
		return errors.New("worker: no store")
	}
	if cfg.FetchWorkers <= 0 && cfg.ParseWorkers <= 0 {
		return errors.New("worker: neither fetch nor parse workers")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 5 * time.Second
	}
	if cfg.FetchTimeout <= 0 {
		cfg.FetchTimeout = 10 * time.Minute
	}
	if cfg.ParseTimeout <= 0 {
		b := nianbao.DefaultBudget()
		if cfg.Budget != nil && cfg.Budget.Time > 0 {
			b.Time = cfg.Budget.Time
		}
		cfg.ParseTimeout = b.Time + time.Minute
	}
	longest := max(cfg.FetchTimeout, cfg.ParseTimeout)
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = longest + 10*time.Minute
	}
	if cfg.RecheckPeriod <= 0 {
		cfg.RecheckPeriod = RecheckPeriod
	}
	if cfg.StopTimeout <= 0 {
		cfg.StopTimeout = 30 * time.Second
	}
	pool, err := connect(ctx, dsn, cfg.FetchWorkers+cfg.ParseWorkers+10, cfg.Log)
	if err != nil {
		return err
	}
	defer pool.Close()

	fc := cfg.Fetch
	if fc.Log == nil {
		fc.Log = cfg.Log
	}
	if fc.RobotsTTL <= 0 {
		// A worker runs for weeks: a site's robots.txt is read again
		// hourly (by one worker for all), and a site skipped for an
		// unavailable one is tried again.
		fc.RobotsTTL = time.Hour
	}
	timeout := fc.Timeout
	if timeout <= 0 {
		timeout = fetch.DefaultConfig().Timeout
	}
	if cfg.HostLease <= 0 {
		cfg.HostLease = timeout + 10*time.Second
	}
	fc.Gate = NewGate(pool, cfg.MaxWait, cfg.HostLease, cfg.Log)
	fc.Robots = NewRobots(pool)
	w := &worker{cfg: cfg, fetcher: fetch.New(fc), pool: pool}
	defer w.fetcher.Close()

	queues := map[string]river.QueueConfig{}
	if cfg.FetchWorkers > 0 {
		queues[QueueFetch] = river.QueueConfig{MaxWorkers: cfg.FetchWorkers}
	}
	if cfg.ParseWorkers > 0 {
		queues[QueueParse] = river.QueueConfig{MaxWorkers: cfg.ParseWorkers}
	}
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger:               cfg.Log,
		Queues:               queues,
		Workers:              allWorkers(w),
		JobTimeout:           longest,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    cfg.PollInterval,
		// River takes new jobs at most every FetchCooldown (100 ms by
		// default): with a few parse slots and jobs of a few ms, most of
		// the time went waiting for it (2 slots: 18 documents/s).
		FetchCooldown: 10 * time.Millisecond,
	})
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	w.river = rc
	// The jobs run on a context of their own, ended by a stop that has
	// waited StopTimeout for them.
	runCtx, cut := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cut(nil)
	if err := rc.Start(runCtx); err != nil {
		return fmt.Errorf("worker: start: %w", err)
	}
	cfg.Log.Info("worker started", "fetch", cfg.FetchWorkers, "parse", cfg.ParseWorkers, "id", rc.ID())
	if cfg.Ready != nil {
		cfg.Ready(rc.ID())
	}
	<-ctx.Done()
	cfg.Log.Info("worker stopping", "wait", cfg.StopTimeout)
	w.stopping.Store(true)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.StopTimeout)
	defer cancel()
	err = rc.Stop(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		// Cut the running jobs off: each returns JobSnooze(0), available
		// again at once for another worker.
		cut(errStopping)
		hctx, hcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer hcancel()
		err = rc.StopAndCancel(hctx)
	}
	if err != nil {
		return fmt.Errorf("worker: stop: %w", err)
	}
	cfg.Log.Info("worker stopped")
	return nil
}

// allWorkers registers the job kinds (w nil: an insert-only client, which
// only needs their names).
func allWorkers(w *worker) *river.Workers {
	ws := river.NewWorkers()
	if w == nil {
		w = &worker{}
	}
	river.AddWorker(ws, &fetchWorker{w: w})
	river.AddWorker(ws, &parseWorker{w: w})
	river.AddWorker(ws, &recheckWorker{w: w})
	return ws
}

type worker struct {
	cfg      WorkerConfig
	pool     *pgxpool.Pool
	fetcher  *fetch.Fetcher
	river    *river.Client[pgx.Tx]
	stopping atomic.Bool
}

// interrupted turns the error of a job cut off by a stop into a snooze of
// zero: the job is available again at once and the try is not counted.
func (w *worker) interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil && w.stopping.Load() {
		return river.JobSnooze(0)
	}
	return err
}

type fetchWorker struct {
	river.WorkerDefaults[FetchArgs]
	w *worker
}

func (f *fetchWorker) Timeout(*river.Job[FetchArgs]) time.Duration { return f.w.cfg.FetchTimeout }

// Work fetches one URL: a listing's report links and pages, and a report
// page's attachments, become fetch jobs; a document is archived and
// becomes a parse job — all enqueued in one transaction before the job
// completes, so that a worker killed at any point loses nothing.
func (f *fetchWorker) Work(ctx context.Context, job *river.Job[FetchArgs]) error {
	w, a := f.w, job.Args
	start, err := url.Parse(a.Site)
	if err != nil {
		return river.JobCancel(fmt.Errorf("fetch %s: site %q: %w", a.URL, a.Site, err))
	}
	allowed := map[string]bool{strings.ToLower(start.Host): true}
	for _, h := range a.Hosts {
		allowed[strings.ToLower(h)] = true
	}
	if a.Delay != nil {
		for h := range allowed {
			w.fetcher.SetHostDelay(h, a.Delay.Duration)
		}
	}
	allow := func(h string) bool { return allowed[strings.ToLower(h)] }
	limit := a.MaxPages
	if limit <= 0 {
		limit = crawl.DefaultMaxPages
	}
	var pages int
	err = w.pool.QueryRow(ctx, `SELECT COALESCE((SELECT pages FROM nianbao_queue_sites WHERE run = $1 AND site = $2), 0)`,
		a.Run, a.Site).Scan(&pages)
	if err != nil {
		return w.interrupted(ctx, fmt.Errorf("fetch %s: pages of %s: %w", a.URL, a.Site, err))
	}
	if pages >= limit {
		return river.JobCancel(fmt.Errorf("fetch %s: page limit (%d) of %s reached in run %s", a.URL, limit, a.Site, a.Run))
	}
	resp, err := w.fetcher.Get(ctx, fetch.Request{URL: a.URL, Allowed: allow})
	if err == nil || !errors.As(err, new(*fetch.HostBusyError)) && ctx.Err() == nil {
		// A request was made (a busy host's job makes none).
		_, cerr := w.pool.Exec(ctx, `INSERT INTO nianbao_queue_sites(run, site, pages) VALUES ($1, $2, 1)
			ON CONFLICT (run, site) DO UPDATE SET pages = nianbao_queue_sites.pages + 1`, a.Run, a.Site)
		if cerr != nil {
			return w.interrupted(ctx, fmt.Errorf("fetch %s: pages of %s: %w", a.URL, a.Site, cerr))
		}
	}
	if err != nil {
		var busy *fetch.HostBusyError
		switch {
		case errors.As(err, &busy):
			return river.JobSnooze(snoozeFor(busy.Wait, job.Metadata))
		case ctx.Err() != nil:
			return w.interrupted(ctx, err) // a *fetch.Error names the URL
		case errors.Is(err, fetch.ErrDisallowed):
			w.cfg.Log.Info("skipped", "url", a.URL, "why", "robots.txt")
			return nil
		}
		var fe *fetch.Error
		if errors.As(err, &fe) && !fe.Temporary {
			// A 404, a refused address, a file too large: no later try
			// does better. The job is cancelled with the reason.
			w.cfg.Log.Info("failed", "url", a.URL, "reason", fe.Reason)
			return river.JobCancel(err)
		}
		return err // River tries again, waiting longer each time
	}

	var next []river.InsertManyParams
	isDoc := a.Page == store.KindAttachment
	if a.Page != store.KindAttachment {
		page, err := crawl.ParsePage(resp.URL, resp.Body, resp.ContentType)
		if err != nil {
			return river.JobCancel(fmt.Errorf("fetch %s: unreadable page: %w", a.URL, err))
		}
		found := links(a, page, allow)
		isDoc = a.Page == store.KindPage && (page.ReportBody || len(found) == 0)
		for _, l := range found {
			child := a
			child.URL, child.Page, child.Title = l.URL, l.Kind, l.Title
			next = append(next, river.InsertManyParams{Args: child})
		}
	}
	if isDoc {
		h := sha256.Sum256(resp.Body)
		sum := hex.EncodeToString(h[:])
		if err := w.cfg.Store.ArchivePut(sum, resp.Body); err != nil {
			return fmt.Errorf("fetch %s: %w", a.URL, err)
		}
		next = append(next, river.InsertManyParams{Args: ParseArgs{SHA256: sum, Source: a.URL,
			ContentType: resp.ContentType, ETag: resp.ETag, LastModified: resp.LastModified,
			FetchedAt: time.Now().UTC(), Division: a.Division}})
	}
	if len(next) > 0 {
		if _, err := insertMany(ctx, w.river, next); err != nil {
			return w.interrupted(ctx, fmt.Errorf("fetch %s: %w", a.URL, err))
		}
	}
	w.cfg.Log.Debug("fetched", "url", a.URL, "bytes", len(resp.Body), "jobs", len(next))
	return nil
}

// snoozeFor is how long a fetch job whose host's turn is wait away
// sleeps: until the turn, and a random part of a spread that doubles with
// each snooze of the job (up to 32 waits), so that the hundreds of jobs of
// one big site, all waiting for the same host, come back spread out
// rather than all at each turn.
func snoozeFor(wait time.Duration, metadata []byte) time.Duration {
	var m struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(metadata, &m)
	spread := max(wait, 100*time.Millisecond) << min(max(m.Snoozes, 0), 5)
	return wait + time.Duration(rand.Int64N(int64(spread)+1))
}

// links turns what a page offers into the URLs to fetch on the allowed
// hosts, as the one-process crawler does.
func links(a FetchArgs, page *crawl.Page, allow func(string) bool) []store.FrontierLink {
	var out []store.FrontierLink
	add := func(u, kind, title string) {
		p, err := url.Parse(u)
		if err != nil || !allow(p.Host) {
			return
		}
		out = append(out, store.FrontierLink{URL: u, Kind: kind, Title: title})
	}
	switch a.Page {
	case store.KindListing:
		for _, p := range page.Pages {
			add(p, store.KindListing, "")
		}
		for _, r := range page.Reports {
			kind := store.KindPage
			if crawl.IsAttachment(r.URL) {
				kind = store.KindAttachment
			}
			add(r.URL, kind, r.Text)
		}
	case store.KindPage:
		for _, at := range page.Attachments {
			add(at.URL, store.KindAttachment, at.Text)
		}
	}
	return out
}

type parseWorker struct {
	river.WorkerDefaults[ParseArgs]
	w *worker
}

func (p *parseWorker) Timeout(*river.Job[ParseArgs]) time.Duration { return p.w.cfg.ParseTimeout }

// Work reads an archived document and writes its report: a document
// already stored (a job run again after its worker died past the write)
// only gets its sighting recorded.
func (p *parseWorker) Work(ctx context.Context, job *river.Job[ParseArgs]) error {
	w, a := p.w, job.Args
	st := w.cfg.Store
	data, err := st.ArchiveGet(a.SHA256)
	if err != nil {
		return fmt.Errorf("parse %s (%s): %w", a.Source, a.SHA256, err)
	}
	if w.cfg.Budget != nil {
		ctx = nianbao.WithBudget(ctx, *w.cfg.Budget)
	}
	var f *store.Fetch
	if !a.FetchedAt.IsZero() {
		f = &store.Fetch{ETag: a.ETag, LastModified: a.LastModified, ContentType: a.ContentType, FetchedAt: a.FetchedAt}
	}
	out, err := ingest.One(ctx, st, ingest.Input{Source: a.Source, Data: data, Fetch: f, Division: a.Division, Archived: true},
		ingest.Options{Parse: w.cfg.Parse})
	if err != nil {
		return w.interrupted(ctx, fmt.Errorf("parse %s: %w", a.Source, err))
	}
	w.cfg.Log.Info("stored", "source", a.Source, "result", out.Result, "status", out.Status,
		"agency", out.Agency, "year", out.Year)
	if out.Result == store.ResultNew || out.Result == store.ResultNewVersion {
		if _, err := insertMany(ctx, w.river, []river.InsertManyParams{recheckInsert(time.Now(), w.cfg.RecheckPeriod, 0)}); err != nil {
			return w.interrupted(ctx, fmt.Errorf("parse %s: %w", a.Source, err))
		}
	}
	return nil
}

type recheckWorker struct {
	river.WorkerDefaults[RecheckArgs]
	w *worker
}

func (r *recheckWorker) Timeout(*river.Job[RecheckArgs]) time.Duration { return r.w.cfg.ParseTimeout }

// Work checks the cross-year rules again.
func (r *recheckWorker) Work(ctx context.Context, job *river.Job[RecheckArgs]) error {
	n, err := r.w.cfg.Store.RecheckYears(ctx)
	if err != nil {
		return r.w.interrupted(ctx, fmt.Errorf("recheck organ %d: %w", job.Args.Organ, err))
	}
	r.w.cfg.Log.Info("rechecked", "organ_years", n)
	return nil
}
