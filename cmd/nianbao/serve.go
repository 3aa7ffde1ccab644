package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/nianbao/nianbao/store"
	"github.com/nianbao/nianbao/web"
)

func init() {
	register(command{Name: "serve", Summary: "browse the database in a web browser: organs across years, reports as printed, where each figure was printed", Run: runServe})
}

func runServe(ctx context.Context, env *Env, args []string) error {
	fl := newFlags("serve", "usage: nianbao serve [--db FILE] [--addr 127.0.0.1:8080]\n\n"+
		"Serves the database as web pages (and each page as JSON and CSV): coverage, organs\n"+
		"across the years with charts, reports with their tables as printed and every figure's\n"+
		"place in the document, findings, full-text search and a read-only SQL box. It only\n"+
		"reads. It listens on the loopback address unless --public allows another.")
	db := storeDBFlag(fl.FlagSet, env)
	addr := fl.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT` (a loopback address unless --public)")
	public := fl.Bool("public", false, "allow an --addr that is not loopback: the pages, the archived documents and the SQL box are then open to the network")
	cache := fl.String("cache", "", "keep rendered PDF pages in `DIR` (default: nianbao/pages in the user's cache folder)")
	sqlTimeout := fl.Duration("sql-timeout", 5*time.Second, "time limit of a query of the SQL page")
	sqlRows := fl.Int("sql-rows", 1000, "most rows the SQL page returns")
	rest, err := fl.parse(env, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest, "the database is given with --db"); err != nil {
		return err
	}
	if *sqlTimeout <= 0 {
		return usageError("--sql-timeout must be positive (got %s)", *sqlTimeout)
	}
	if err := positive("--sql-rows", *sqlRows); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usageError("--addr %q: want HOST:PORT, e.g. 127.0.0.1:8080", *addr)
	}
	loopback := isLoopback(host)
	if !loopback && !*public {
		return usageError("--addr %s is not a loopback address: anyone who reaches it could read the database; add --public to allow it", *addr)
	}
	if *cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		*cache = filepath.Join(dir, "nianbao", "pages")
	}
	st, err := store.Open(ctx, *db, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	srv, err := web.New(ctx, st, web.Options{CacheDir: *cache, SQLTimeout: *sqlTimeout, SQLRows: *sqlRows, LoopbackOnly: loopback, Log: env.Log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if !loopback {
		fmt.Fprintf(env.Stderr, "warning: serving on %s, not a loopback address: every page, archived document and the SQL box are open to whoever reaches it\n", ln.Addr())
	}
	fmt.Fprintf(env.Stderr, "nianbao serve: http://%s/ (%s); Ctrl-C stops\n", ln.Addr(), st.Path())
	go func() {
		if err := srv.Warm(ctx); err != nil && ctx.Err() == nil {
			env.Log.Warn("serve: coverage", "err", err)
		}
	}()
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    128 << 10,
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// isLoopback says whether a listening host is this machine only.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
