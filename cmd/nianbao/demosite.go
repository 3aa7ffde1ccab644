package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/nianbao/nianbao/internal/fakesite"
)

func init() {
	register(command{Name: "demosite", Summary: "serve a small fake government site to try `nianbao crawl` on", Run: runDemosite})
}

func runDemosite(ctx context.Context, env *Env, args []string) error {
	fl := newFlags("demosite", "usage: nianbao demosite [--addr HOST:PORT] [--slow DURATION]\n\n"+
		"Serves a fake government site with an annual-report column of three listing pages:\n"+
		"reports as UTF-8 and GBK pages, a PDF and a DOCX attachment, a broken link, a slow\n"+
		"page, a page that fails twice, a redirect to another host and a robots.txt rule.\n"+
		"Crawl it with: nianbao crawl --allow-private --delay 0 URL (the URL is printed).")
	addr := fl.String("addr", "127.0.0.1:8080", "address to listen on")
	slow := fl.Duration("slow", 10*time.Second, "how long the slow page takes to answer")
	rest, err := fl.parse(env, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest, "the address is --addr"); err != nil {
		return err
	}
	if *slow < 0 {
		return usageError("--slow must not be negative")
	}
	// The "other host" the redirect points to: a second listener.
	otherLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		otherLn.Close()
		return err
	}
	other := "http://" + otherLn.Addr().String()
	site := fakesite.New(fakesite.Options{OtherHost: other, SlowDelay: *slow})
	srv := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second}
	otherSrv := &http.Server{Handler: fakesite.New(fakesite.Options{}), ReadHeaderTimeout: 10 * time.Second}
	go otherSrv.Serve(otherLn)
	fmt.Fprintf(env.Stdout, "demo site: http://%s%s\n", ln.Addr(), fakesite.Column)
	fmt.Fprintln(env.Stderr, "serving; Ctrl-C to stop")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		otherSrv.Close()
		return err
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	err = errors.Join(srv.Shutdown(sctx), otherSrv.Shutdown(sctx))
	if errors.Is(err, context.DeadlineExceeded) {
		err = nil // a crawler still waiting on the slow page
	}
	return err
}
