package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nianbao/nianbao/fetch"
)

// Gate is a fetch.Gate shared by every process of one queue database:
// each host has a row in nianbao_queue_hosts saying when its next request
// may start (next_at) and which request, if any, is in flight (holder,
// until held_until). A request claims its host with one UPDATE that
// succeeds only when next_at has passed and nobody holds the host —
// atomic under PostgreSQL's row lock, so two claims never both succeed —
// and, once its response has been read, sets next_at to the end of the
// response plus the host's interval. Times are the database's (now()),
// never a worker's clock. A holder killed mid-request keeps the host until
// held_until (its lease) has passed.
//
// A claim that fails waits in the worker for the host's next turn when
// that is near; when it is further than MaxWait in all, Acquire returns a
// *fetch.HostBusyError and the job is snoozed.
type Gate struct {
	pool *pgxpool.Pool
	// MaxWait is the longest a request waits for its host's turn.
	MaxWait time.Duration
	// Lease is how long a claim holds its host at most: longer than a
	// request can take (the fetcher's timeout, body included).
	Lease time.Duration
	// Poll is the wait between two claims while the host is held by a
	// request whose end is not known yet; 0 means the host's interval.
	Poll  time.Duration
	Log   *slog.Logger
	token string
	seq   atomic.Int64
	known sync.Map // hosts with a row
}

// NewGate returns a gate on the queue database of pool.
func NewGate(pool *pgxpool.Pool, maxWait, lease time.Duration, log *slog.Logger) *Gate {
	var b [4]byte
	_, _ = rand.Read(b[:])
	host, _ := os.Hostname()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Gate{pool: pool, MaxWait: maxWait, Lease: lease, Log: log,
		token: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))}
}

// claimSQL claims host for the request $2 when its turn has come; it
// says whether it did, how far off the next turn is (seconds, 0 when it
// has come) and whether a request holds the host.
const claimSQL = `WITH claim AS (
	UPDATE nianbao_queue_hosts SET holder = $2, held_until = now() + $3::float8 * interval '1 second'
	WHERE host = $1 AND next_at <= now() AND (holder IS NULL OR held_until <= now())
	RETURNING host)
SELECT EXISTS (SELECT 1 FROM claim),
	greatest(extract(epoch FROM next_at - now()), 0)::float8,
	holder IS NOT NULL AND held_until > now()
FROM nianbao_queue_hosts WHERE host = $1`

// releaseSQL ends request $2 on host: the next may start $3 seconds
// from now (the end of its response). A lapsed claim taken over by
// another request still pushes next_at.
const releaseSQL = `UPDATE nianbao_queue_hosts SET
	next_at = greatest(next_at, now() + $3::float8 * interval '1 second'),
	holder = CASE WHEN holder = $2 THEN NULL ELSE holder END,
	held_until = CASE WHEN holder = $2 THEN NULL ELSE held_until END
WHERE host = $1`

// Acquire waits for host's turn and claims it; release ends the request.
func (g *Gate) Acquire(ctx context.Context, host string, delay time.Duration) (release func(), err error) {
	if _, ok := g.known.Load(host); !ok {
		if _, err := g.pool.Exec(ctx, `INSERT INTO nianbao_queue_hosts(host) VALUES ($1) ON CONFLICT DO NOTHING`, host); err != nil {
			return nil, fmt.Errorf("host %s: %w", host, err)
		}
		g.known.Store(host, true)
	}
	token := fmt.Sprintf("%s/%d", g.token, g.seq.Add(1))
	poll := g.Poll
	if poll <= 0 {
		poll = max(delay, 50*time.Millisecond)
	}
	var waited time.Duration
	for {
		var granted, held bool
		var next float64
		if err := g.pool.QueryRow(ctx, claimSQL, host, token, g.Lease.Seconds()).Scan(&granted, &next, &held); err != nil {
			return nil, fmt.Errorf("claim host %s: %w", host, err)
		}
		if granted {
			return func() { g.release(ctx, host, token, delay) }, nil
		}
		wait := time.Duration(next * float64(time.Second))
		if held {
			wait = max(wait, poll)
		}
		wait = max(wait, 5*time.Millisecond)
		if waited+wait > g.MaxWait {
			return nil, &fetch.HostBusyError{Host: host, Wait: wait}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		waited += wait
	}
}

func (g *Gate) release(ctx context.Context, host, token string, delay time.Duration) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := g.pool.Exec(ctx, releaseSQL, host, token, delay.Seconds()); err != nil {
		// The claim lapses at held_until.
		g.Log.Warn("release host", "host", host, "err", err)
	}
}
