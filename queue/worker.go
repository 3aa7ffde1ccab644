package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strconv"
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
	// RunCheck is how often a crawl run's job looks whether fetch jobs
	// of the run are left (default 10 s).
	RunCheck time.Duration
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
	if cfg.RunCheck <= 0 {
		cfg.RunCheck = 10 * time.Second
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
	river.AddWorker(ws, &crawlRunWorker{w: w})
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

// Work fetches one URL of a crawl run as the one-process crawl does,
// through the store's frontier: with the validators of the last run (a
// 304 is unchanged: nothing to parse), settled with its outcome, a failure
// deferred to a later run. A listing's report links and pages, and a
// report page's attachments, become fetch jobs — those the run has not
// settled and that do not wait after failures; a new or changed document
// is archived and becomes a parse job — all enqueued before the URL is
// settled, so that a worker killed at any point loses nothing (the job run
// again finds its URL unsettled and does it again).
func (f *fetchWorker) Work(ctx context.Context, job *river.Job[FetchArgs]) error {
	w, a := f.w, job.Args
	st := w.cfg.Store
	run, err := strconv.ParseInt(a.Run, 10, 64)
	if err != nil {
		return river.JobCancel(fmt.Errorf("fetch %s: run %q is no crawl run of the store (enqueued by an older nianbao): crawl again", a.URL, a.Run))
	}
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

	known, err := st.FrontierItems(ctx, []string{a.URL})
	if err != nil {
		return w.interrupted(ctx, fmt.Errorf("fetch %s: %w", a.URL, err))
	}
	it, ok := known[a.URL]
	if !ok {
		// Found by a page whose job has not settled it yet (it was
		// killed between enqueueing and settling): added here.
		if err := st.AddToFrontier(ctx, a.Site, []store.FrontierLink{{URL: a.URL, Kind: a.Page, Title: a.Title}}); err != nil {
			return w.interrupted(ctx, fmt.Errorf("fetch %s: %w", a.URL, err))
		}
		it = store.FrontierItem{URL: a.URL, Site: a.Site, Kind: a.Page, Title: a.Title, State: store.StatePending}
	}
	if !it.Due(run, time.Now()) {
		// Settled in this run already (a job run again after its worker
		// died past the settling), or waiting after failures.
		return nil
	}

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
		// The URL stays due: the next run fetches it.
		return river.JobCancel(fmt.Errorf("fetch %s: page limit (%d) of %s reached in run %s", a.URL, limit, a.Site, a.Run))
	}
	resp, err := w.fetcher.Get(ctx, fetch.Request{URL: a.URL, ETag: it.ETag, LastModified: it.LastModified, Allowed: allow})
	if err == nil || !errors.As(err, new(*fetch.HostBusyError)) && ctx.Err() == nil {
		// A request was made (a busy host's job makes none).
		_, cerr := w.pool.Exec(ctx, `INSERT INTO nianbao_queue_sites(run, site, pages) VALUES ($1, $2, 1)
			ON CONFLICT (run, site) DO UPDATE SET pages = nianbao_queue_sites.pages + 1`, a.Run, a.Site)
		if cerr != nil {
			return w.interrupted(ctx, fmt.Errorf("fetch %s: pages of %s: %w", a.URL, a.Site, cerr))
		}
	}
	settle := func(it store.FrontierItem, found []store.FrontierLink) error {
		if err := st.SettleFrontier(context.WithoutCancel(ctx), run, it, found); err != nil {
			return fmt.Errorf("fetch %s: %w", a.URL, err)
		}
		return nil
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
			return settle(crawl.Skipped(it), nil)
		}
		// The fetcher has tried again already: as in the one-process
		// crawl, the URL fails for this run and waits for a later one
		// (1 h, 2 h, 4 h … after its failed runs in a row). The job is
		// cancelled with the reason.
		reason, status := crawl.FailReason(err)
		it.HTTPStatus = status
		w.cfg.Log.Info("failed", "url", a.URL, "reason", reason)
		if err := settle(crawl.Failed(it, reason, err, time.Now()), nil); err != nil {
			return err
		}
		return river.JobCancel(err)
	}

	it.HTTPStatus = resp.Status
	v, err := crawl.ReadResponse(it, resp, allow)
	if err != nil {
		err = fmt.Errorf("fetch %s: unreadable page: %w", a.URL, err)
		if serr := settle(crawl.Failed(it, "unreadable page", err, time.Now()), nil); serr != nil {
			return serr
		}
		return river.JobCancel(err)
	}
	var next []river.InsertManyParams
	if len(v.Found) > 0 {
		urls := make([]string, len(v.Found))
		for i, l := range v.Found {
			urls[i] = l.URL
		}
		rows, err := st.FrontierItems(ctx, urls)
		if err != nil {
			return w.interrupted(ctx, fmt.Errorf("fetch %s: %w", a.URL, err))
		}
		now := time.Now()
		for _, l := range v.Found {
			if k, ok := rows[l.URL]; ok && !k.Due(run, now) {
				continue // settled in this run, or waiting after failures
			}
			child := a
			child.URL, child.Page, child.Title = l.URL, l.Kind, l.Title
			next = append(next, river.InsertManyParams{Args: child})
		}
	}
	if v.Outcome == "new" || v.Outcome == "changed" {
		if err := st.ArchivePut(v.SHA256, resp.Body); err != nil {
			return fmt.Errorf("fetch %s: %w", a.URL, err)
		}
		next = append(next, river.InsertManyParams{Args: ParseArgs{SHA256: v.SHA256, Source: a.URL,
			ContentType: resp.ContentType, ETag: resp.ETag, LastModified: resp.LastModified,
			FetchedAt: time.Now().UTC(), Division: a.Division}})
	}
	if len(next) > 0 {
		if _, err := insertMany(ctx, w.river, next); err != nil {
			return w.interrupted(ctx, fmt.Errorf("fetch %s: %w", a.URL, err))
		}
	}
	if err := settle(v.Settled(it, resp), v.Found); err != nil {
		return err
	}
	w.cfg.Log.Debug("fetched", "url", a.URL, "status", resp.Status, "outcome", v.Outcome, "bytes", len(resp.Body), "jobs", len(next))
	return nil
}

// snoozeFor is how long a fetch job whose host's turn is wait away
// sleeps: until the turn, and a random part of a spread that doubles with
// each snooze of the job (up to 32 waits), so that the hundreds of jobs of
// one big site, all waiting for the same host, come back spread out
// rather than all at each turn.
func snoozeFor(wait time.Duration, metadata []byte) time.Duration {
	return wait + time.Duration(rand.Int64N(int64(snoozeSpread(wait, metadata))+1))
}

// snoozeSpread is the spread of snoozeFor: the wait (at least 100 ms),
// doubled for each snooze the job's metadata counts, up to 32 times.
func snoozeSpread(wait time.Duration, metadata []byte) time.Duration {
	var m struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(metadata, &m)
	return max(wait, 100*time.Millisecond) << min(max(m.Snoozes, 0), 5)
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
	if (out.Result == store.ResultNew || out.Result == store.ResultNewVersion) && out.OrganID != 0 {
		// The organ's cross-year rules wait for the next recheck.
		if _, err := w.pool.Exec(ctx, `INSERT INTO nianbao_queue_recheck(organ_id, touched_at) VALUES ($1, clock_timestamp())
			ON CONFLICT (organ_id) DO UPDATE SET touched_at = excluded.touched_at`, out.OrganID); err != nil {
			return w.interrupted(ctx, fmt.Errorf("parse %s: recheck of organ %d: %w", a.Source, out.OrganID, err))
		}
		if _, err := insertMany(ctx, w.river, []river.InsertManyParams{recheckInsert(time.Now(), w.cfg.RecheckPeriod)}); err != nil {
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

// Work checks the cross-year rules again of the organs the parse jobs
// wrote under. An organ written again while it runs keeps its row (its
// time changed) for the next recheck.
func (r *recheckWorker) Work(ctx context.Context, job *river.Job[RecheckArgs]) error {
	w := r.w
	rows, err := w.pool.Query(ctx, `SELECT organ_id, touched_at FROM nianbao_queue_recheck ORDER BY organ_id`)
	if err != nil {
		return w.interrupted(ctx, fmt.Errorf("recheck: %w", err))
	}
	var ids []int64
	var touched []time.Time
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return fmt.Errorf("recheck: %w", err)
		}
		ids, touched = append(ids, id), append(touched, at)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return w.interrupted(ctx, fmt.Errorf("recheck: %w", err))
	}
	if len(ids) == 0 {
		return nil
	}
	n, err := w.cfg.Store.RecheckOrgans(ctx, ids)
	if err != nil {
		return w.interrupted(ctx, fmt.Errorf("recheck of %d organs: %w", len(ids), err))
	}
	if _, err := w.pool.Exec(ctx, `DELETE FROM nianbao_queue_recheck r USING unnest($1::bigint[], $2::timestamptz[]) AS d(organ_id, touched_at)
		WHERE r.organ_id = d.organ_id AND r.touched_at = d.touched_at`, ids, touched); err != nil {
		return w.interrupted(ctx, fmt.Errorf("recheck: %w", err))
	}
	w.cfg.Log.Info("rechecked", "organs", len(ids), "organ_years", n)
	return nil
}

type crawlRunWorker struct {
	river.WorkerDefaults[CrawlRunArgs]
	w *worker
}

// Work ends a crawl run once no fetch job of it is left: until then it
// snoozes (WorkerConfig.RunCheck), a snooze costing no try.
func (c *crawlRunWorker) Work(ctx context.Context, job *river.Job[CrawlRunArgs]) error {
	w, run := c.w, job.Args.Run
	var left int
	err := w.pool.QueryRow(ctx, qFetchesLeft+` AND args->>'run' = $2`,
		FetchArgs{}.Kind(), strconv.FormatInt(run, 10)).Scan(&left)
	if err != nil {
		return w.interrupted(ctx, fmt.Errorf("crawl run %d: %w", run, err))
	}
	if left > 0 {
		return river.JobSnooze(w.cfg.RunCheck)
	}
	if err := w.cfg.Store.FinishCrawl(ctx, run); err != nil {
		return w.interrupted(ctx, err)
	}
	// What the run did, from the frontier, counted as nianbao crawl
	// --status counts it per site.
	sum, sites, err := crawl.RunTotals(ctx, w.cfg.Store, run)
	if err != nil {
		w.cfg.Log.Warn("crawl run finished", "run", run, "summary", err)
		return nil
	}
	w.cfg.Log.Info("crawl run finished", "run", run, "sites", sites, "pages", sum.Fetched, "not_modified", sum.NotModified,
		"new_or_changed", sum.New+sum.Changed, "failed", sum.Failed, "skipped", sum.Skipped)
	return nil
}
