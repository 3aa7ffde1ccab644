package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Robots is a fetch.RobotsCache shared by the workers of one queue
// database (the table nianbao_queue_robots): the first worker to need a
// site's robots.txt asks the site, the others read its answer, so that a
// site is not asked once per worker process. Ages are the database's.
type Robots struct{ pool *pgxpool.Pool }

// NewRobots returns the robots.txt cache of the queue database of pool.
func NewRobots(pool *pgxpool.Pool) *Robots { return &Robots{pool: pool} }

// Get returns the answer for origin fetched at most maxAge ago.
func (r *Robots) Get(ctx context.Context, origin string, maxAge time.Duration) (int, []byte, bool, error) {
	var status int
	var body []byte
	err := r.pool.QueryRow(ctx, `SELECT status, body FROM nianbao_queue_robots
		WHERE origin = $1 AND fetched_at > now() - $2::float8 * interval '1 second'`, origin, maxAge.Seconds()).Scan(&status, &body)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, nil, false, nil
	case err != nil:
		return 0, nil, false, fmt.Errorf("robots.txt of %s: %w", origin, err)
	}
	return status, body, true, nil
}

// Put records what origin answered.
func (r *Robots) Put(ctx context.Context, origin string, status int, body []byte) error {
	_, err := r.pool.Exec(ctx, `INSERT INTO nianbao_queue_robots(origin, status, body, fetched_at) VALUES ($1, $2, $3, now())
		ON CONFLICT (origin) DO UPDATE SET status = excluded.status, body = excluded.body, fetched_at = excluded.fetched_at`,
		origin, status, body)
	if err != nil {
		return fmt.Errorf("robots.txt of %s: %w", origin, err)
	}
	return nil
}
