// Package queue shares the crawl and parse work of many processes, on
// many machines, through River (github.com/riverqueue/river), a job queue
// kept in PostgreSQL. Three kinds of job:
//
//   - fetch: one URL of a crawl — a listing page (its report links and
//     next pages become fetch jobs of their own), a report page, or a
//     document file (its bytes archived in the store, then a parse job);
//   - parse: one archived document, by its sha256, read and written to the
//     store as `nianbao ingest` does;
//   - recheck: the cross-year rules of the organs the parse jobs wrote
//     under checked again;
//   - crawl run: the end of a crawl run, once no fetch job of it is left.
//
// A crawl through the queue uses the store's crawl frontier as the
// one-process crawl does (package crawl): the run is a row of crawl_runs,
// each URL is fetched with the validators of the last run (conditional
// GETs), settled with its outcome, and a URL that failed waits before a
// later run tries it again.
//
// Jobs are idempotent: documents are content-addressed, a URL is fetched
// once a crawl run and a document parsed once a source (River unique
// jobs), and a job cut short — its worker killed — is run again whole by
// River once its rescue time has passed.
//
// Politeness holds across processes: a host's next allowed request time
// lives in PostgreSQL (the table nianbao_queue_hosts, see Gate) and is
// claimed atomically with the database's clock, so any number of workers
// make at most one request to a host at a time, each at least the host's
// interval after the end of the previous one. A job whose host's turn is
// far off is snoozed rather than holding its worker.
//
// River's own tables are made by its migrations (rivermigrate), run with
// the queue's when a worker or an enqueuing command opens the database.
package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Names of River's queues: the fetch jobs and the parse (and recheck)
// jobs, so that a worker can run either side (--fetch N, --parse N).
const (
	QueueFetch = "fetch"
	QueueParse = "parse"
)

// migrateLock is the key of the advisory lock held while the schema is
// migrated: workers started together migrate one after the other.
const migrateLock = 0x6e69616e62616f // "nianbao"

// schema is the queue's own tables (River's are made by rivermigrate):
// the hosts' turns (see Gate), the sites' robots.txt (see Robots), the
// organs whose cross-year rules wait for a recheck job, and the pages
// fetched of each site in each crawl run (for its page limit).
const schema = `CREATE TABLE IF NOT EXISTS nianbao_queue_hosts (
	host       text PRIMARY KEY,
	next_at    timestamptz NOT NULL DEFAULT 'epoch',
	holder     text,
	held_until timestamptz
);
CREATE TABLE IF NOT EXISTS nianbao_queue_robots (
	origin     text PRIMARY KEY,
	status     integer NOT NULL,
	body       bytea,
	fetched_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS nianbao_queue_recheck (
	organ_id   bigint PRIMARY KEY,
	touched_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE IF NOT EXISTS nianbao_queue_sites (
	run   text NOT NULL,
	site  text NOT NULL,
	pages integer NOT NULL DEFAULT 0,
	PRIMARY KEY (run, site)
)`

// Migrate brings River's schema and the queue's table up to date.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate the queue: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(migrateLock)); err != nil {
		return fmt.Errorf("migrate the queue: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrateLock)) //nolint:errcheck
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: log})
	if err != nil {
		return fmt.Errorf("migrate the queue: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate the queue (River): %w", err)
	}
	if _, err := conn.Exec(ctx, schema); err != nil {
		return fmt.Errorf("migrate the queue: %w", err)
	}
	return nil
}

// connect opens a pool of up to conns connections and migrates.
func connect(ctx context.Context, dsn string, conns int, log *slog.Logger) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("queue database: %w", err)
	}
	cfg.MaxConns = int32(conns)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("queue database %s: %w", Redact(dsn), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("queue database %s: %w", Redact(dsn), err)
	}
	if err := Migrate(ctx, pool, log); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// Redact drops a password from a database address for messages.
func Redact(dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil || cfg.Password == "" {
		return dsn
	}
	return strings.Replace(dsn, cfg.Password, "xxxxx", 1)
}

// FetchArgs is a fetch job: one URL of a crawl run.
type FetchArgs struct {
	URL string `json:"url" river:"unique"`
	// Page is what the URL is: store.KindListing, KindPage or
	// KindAttachment.
	Page  string `json:"page"`
	Title string `json:"title,omitempty"`
	// Site is the start URL of the crawl's site the URL belongs to.
	Site string `json:"site"`
	// Hosts are the hosts besides the start URL's the site's links may
	// lead to.
	Hosts []string `json:"hosts,omitempty"`
	// Delay, when set, overrides the worker's interval for the site's
	// hosts (the sites file's delay=).
	Delay *Duration `json:"delay,omitempty"`
	// Division places an organ name that does not say where it is.
	Division string `json:"division,omitempty"`
	// Run is the crawl run, the id of its row in the store's crawl_runs
	// (decimal): a URL is fetched once a run.
	Run string `json:"run" river:"unique"`
	// MaxPages bounds the requests to the site in the run (0: the
	// default of a crawl, crawl.DefaultMaxPages): a site whose links never
	// end cannot fill the queue.
	MaxPages int `json:"max_pages,omitempty"`
}

// Kind is River's name of the job.
func (FetchArgs) Kind() string { return "nianbao_fetch" }

// InsertOpts puts fetch jobs on their queue, unique by URL and run.
func (FetchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueFetch, MaxAttempts: 6, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Duration is a time.Duration written as Go writes it ("2s").
type Duration struct{ time.Duration }

// MarshalText writes d as "1m30s".
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "1m30s".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	d.Duration = v
	return err
}

// ParseArgs is a parse job: an archived document and where it came from.
type ParseArgs struct {
	SHA256 string `json:"sha256" river:"unique"`
	Source string `json:"source" river:"unique"`
	// What the HTTP fetch said; FetchedAt is zero for a local file.
	ContentType  string    `json:"content_type,omitempty"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	FetchedAt    time.Time `json:"fetched_at,omitzero"`
	Division     string    `json:"division,omitempty"`
}

// Kind is River's name of the job.
func (ParseArgs) Kind() string { return "nianbao_parse" }

// InsertOpts puts parse jobs on their queue, unique by document and source.
func (ParseArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueParse, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// RecheckArgs is a recheck job: the cross-year rules (5 and 6) checked
// again between the current reports of consecutive years of the organs
// the parse jobs wrote under (the table nianbao_queue_recheck). Writers
// in several processes each check the years they touch; the recheck, run
// after them, sees what they all committed.
type RecheckArgs struct{}

// Kind is River's name of the job.
func (RecheckArgs) Kind() string { return "nianbao_recheck" }

// RecheckPeriod is how often at most a recheck runs while documents are
// written (WorkerConfig.RecheckPeriod): the parse jobs of one period ask
// for one recheck at the start of the next.
const RecheckPeriod = time.Minute

// InsertOpts puts recheck jobs on the parse queue (see recheckInsert).
func (RecheckArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueParse, MaxAttempts: 5}
}

// recheckInsert is the recheck job that the writes of the current period
// ask for: scheduled at the start of the next period, so that every write
// of this one is committed before it runs, and unique in that period.
func recheckInsert(now time.Time, period time.Duration) river.InsertManyParams {
	period = max(period, time.Second)
	opts := RecheckArgs{}.InsertOpts()
	opts.ScheduledAt = now.Truncate(period).Add(period)
	opts.UniqueOpts = river.UniqueOpts{ByArgs: true, ByPeriod: period}
	return river.InsertManyParams{Args: RecheckArgs{}, InsertOpts: &opts}
}

// CrawlRunArgs is the job that ends a crawl run: it waits (snoozed) while
// fetch jobs of the run are left, then marks the run finished in the
// store's crawl_runs (the next crawl starts a new run).
type CrawlRunArgs struct {
	Run int64 `json:"run"`
}

// Kind is River's name of the job.
func (CrawlRunArgs) Kind() string { return "nianbao_crawl_run" }

// InsertOpts puts the job on the fetch queue, one per run.
func (CrawlRunArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueFetch, MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Client enqueues jobs (an insert-only River client).
type Client struct {
	pool  *pgxpool.Pool
	river *river.Client[pgx.Tx]
}

// Open connects to the queue's database and migrates it.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*Client, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pool, err := connect(ctx, dsn, 4, log)
	if err != nil {
		return nil, err
	}
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: log, Workers: allWorkers(nil)})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("queue client: %w", err)
	}
	return &Client{pool: pool, river: rc}, nil
}

// Close closes the connections.
func (c *Client) Close() { c.pool.Close() }

// Pool is the client's connection pool (tests read the jobs table).
func (c *Client) Pool() *pgxpool.Pool { return c.pool }

// insert enqueues jobs in one transaction, in chunks of a thousand; it
// returns how many were new (the others were already queued or done).
func (c *Client) insert(ctx context.Context, params []river.InsertManyParams) (int, error) {
	return insertMany(ctx, c.river, params)
}

func insertMany(ctx context.Context, rc *river.Client[pgx.Tx], params []river.InsertManyParams) (int, error) {
	n := 0
	for len(params) > 0 {
		chunk := params[:min(len(params), 1000)]
		params = params[len(chunk):]
		res, err := rc.InsertMany(ctx, chunk)
		if err != nil {
			return n, fmt.Errorf("enqueue: %w", err)
		}
		for _, r := range res {
			if !r.UniqueSkippedAsDuplicate {
				n++
			}
		}
	}
	return n, nil
}

// qFetchesLeft counts the fetch jobs not yet completed, cancelled or
// discarded (the states Counts.Unfinished counts); the crawl-run job adds
// its run.
const qFetchesLeft = `SELECT count(*) FROM river_job WHERE kind = $1
	AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`

// Counts are the jobs of each kind by state.
type Counts map[string]map[rivertype.JobState]int

// Unfinished is the number of jobs not yet completed, cancelled or
// discarded.
func (c Counts) Unfinished() int {
	n := 0
	for _, states := range c {
		for st, k := range states {
			switch st {
			case rivertype.JobStateCompleted, rivertype.JobStateCancelled, rivertype.JobStateDiscarded:
			default:
				n += k
			}
		}
	}
	return n
}

// Jobs counts the queue's jobs by kind and state.
func (c *Client) Jobs(ctx context.Context) (Counts, error) {
	rows, err := c.pool.Query(ctx, `SELECT kind, state::text, count(*) FROM river_job GROUP BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	out := Counts{}
	for rows.Next() {
		var kind, state string
		var n int
		if err := rows.Scan(&kind, &state, &n); err != nil {
			return nil, fmt.Errorf("count jobs: %w", err)
		}
		if out[kind] == nil {
			out[kind] = map[rivertype.JobState]int{}
		}
		out[kind][rivertype.JobState(state)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	return out, nil
}

// errStopping is the cause of a job's context ended by a worker's stop.
var errStopping = errors.New("the worker is stopping")

// FetchesLeft counts the fetch jobs not yet done on the queue at dsn (0
// when it has never been used; nothing is migrated): a crawl in one
// process (--here) would resume their run under the workers.
func FetchesLeft(ctx context.Context, dsn string) (int, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, fmt.Errorf("queue database %s: %w", Redact(dsn), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('river_job') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var n int
	err = conn.QueryRow(ctx, qFetchesLeft, FetchArgs{}.Kind()).Scan(&n)
	return n, err
}
