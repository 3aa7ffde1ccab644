// Package fetch is the HTTP side of the crawler: a polite, guarded fetcher
// (per-host spacing, robots.txt, retries with backoff, conditional GET, size
// and time caps, no private addresses) and the reading of listing and report
// pages (pagination, report entries, attachments).
package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/nianbao/nianbao"
)

// DefaultUserAgent names the crawler and where its operator can be reached.
// Replace the contact placeholder (nianbao crawl --contact or
// $NIANBAO_CONTACT, or a whole --user-agent) before crawling real sites.
const DefaultUserAgent = "nianbao/" + nianbao.Release +
	" (government annual-report crawler; +https://github.com/nianbao/nianbao; contact: CONTACT-EMAIL-HERE)"

// RobotsAgent is the token the crawler looks for in robots.txt groups.
const RobotsAgent = "nianbao"

// Config tunes a Fetcher. Start from DefaultConfig.
type Config struct {
	UserAgent string
	// Delay is the minimum interval between two requests to one host,
	// counted from the end of the previous response; 0 turns it off.
	Delay time.Duration
	// Timeout bounds one request, body included.
	Timeout time.Duration
	// MaxBytes caps one response body; larger responses fail.
	MaxBytes int64
	// A body that sends nothing for IdleTimeout, or that is still coming
	// after SlowAfter at less than MinRate bytes a second, fails as "slow
	// response" and is not retried within the run: a server trickling a
	// byte a second would otherwise hold the crawl for Timeout on every
	// try. 0 takes the default; a negative value turns the check off.
	IdleTimeout time.Duration
	SlowAfter   time.Duration
	MinRate     int64
	// Retries is how many times a request is tried again after a 5xx, 429,
	// 408, timeout or connection error (never after another 4xx).
	Retries int
	// Backoff is the first wait before a retry; it doubles each time, with
	// ±50% jitter, up to MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// MaxRedirects bounds a redirect chain.
	MaxRedirects int
	// AllowPrivate lets the fetcher connect to loopback addresses (tests,
	// a local demo site). Other private ranges stay refused.
	AllowPrivate bool
	// Resolver resolves host names; nil means the system resolver.
	Resolver Resolver
	// RobotsTTL is how long a host's robots.txt is trusted before it is
	// asked for again (a worker runs for weeks); 0 means for the life of
	// the Fetcher (one crawl run).
	RobotsTTL time.Duration
	// Robots, when set, shares robots.txt with other fetchers: one asks
	// the site, the others read its answer (at most RobotsTTL old, or a
	// day). A failed fetch (5xx, unreachable) is not shared.
	Robots RobotsCache
	// Gate, when set, spaces the requests to each host in place of the
	// fetcher's own in-process spacing: a gate several processes share
	// (package queue keeps the hosts' turns in PostgreSQL). The interval
	// it is given is the host's (Delay, SetHostDelay, a robots.txt
	// Crawl-delay).
	Gate Gate
	Log  *slog.Logger
}

// Gate spaces the requests to each host. Acquire waits for the host's
// turn and returns a release the fetcher calls once the response has been
// read or abandoned; the next request to the host may start delay after
// that. A turn too far off to wait for is a *HostBusyError.
type Gate interface {
	Acquire(ctx context.Context, host string, delay time.Duration) (release func(), err error)
}

// RobotsCache keeps what sites answered for /robots.txt, keyed by
// scheme://host (package queue keeps it in PostgreSQL). Get returns the
// answer (its HTTP status and body) when one at most maxAge old is there.
type RobotsCache interface {
	Get(ctx context.Context, origin string, maxAge time.Duration) (status int, body []byte, ok bool, err error)
	Put(ctx context.Context, origin string, status int, body []byte) error
}

// HostBusyError says a host's next turn is Wait away: too long to hold a
// worker for. The fetch fails with it (wrapped in an *Error with the
// reason "host busy") and is to be tried again after Wait; robots.txt is
// not taken as missing for it.
type HostBusyError struct {
	Host string
	Wait time.Duration
}

func (e *HostBusyError) Error() string {
	return fmt.Sprintf("host %s busy: its next turn is in %v", e.Host, e.Wait.Round(time.Millisecond))
}

// DefaultConfig is polite enough for a small county server.
func DefaultConfig() Config {
	return Config{
		UserAgent:    DefaultUserAgent,
		Delay:        2 * time.Second,
		Timeout:      60 * time.Second,
		MaxBytes:     64 << 20,
		Retries:      3,
		Backoff:      2 * time.Second,
		MaxBackoff:   time.Minute,
		MaxRedirects: 5,
		IdleTimeout:  20 * time.Second,
		SlowAfter:    10 * time.Second,
		MinRate:      1 << 10,
	}
}

// maxRetryAfter is the longest Retry-After the fetcher waits for within a
// run; a server asking for more is left until the next run.
const maxRetryAfter = 2 * time.Minute

// Request is one GET.
type Request struct {
	URL string
	// ETag and LastModified are the validators of the copy already held;
	// when set the request is conditional and may come back NotModified.
	ETag, LastModified string
	// Allowed says which hosts (host[:port] as in a URL) the request and
	// its redirects may visit; nil allows only the host of URL.
	Allowed func(host string) bool
	// MaxBytes overrides Config.MaxBytes when > 0.
	MaxBytes int64
}

// Response is a successful fetch: 2xx with a body, or 304.
type Response struct {
	URL         string // after redirects
	Status      int
	NotModified bool
	Body        []byte
	ContentType string
	// Validators sent by the server, to send back next time.
	ETag, LastModified string
	Attempts           int // requests made, retries and redirects included
}

// Error is a failed fetch, with a short reason for summaries.
type Error struct {
	URL    string
	Reason string // "HTTP 404", "timeout", "robots.txt", "off-site redirect", "refused address", "too large", ...
	Status int    // the HTTP status, when there was one
	// Temporary says a later run may succeed (5xx, timeout, network).
	Temporary bool
	Err       error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("fetch %s: %s: %v", e.URL, e.Reason, e.Err)
	}
	return fmt.Sprintf("fetch %s: %s", e.URL, e.Reason)
}
func (e *Error) Unwrap() error { return e.Err }

// Fetcher fetches URLs politely. It is safe for concurrent use; requests
// to one host are serialised and spaced by Config.Delay.
type Fetcher struct {
	cfg    Config
	client *http.Client
	gate   *hostGate
	robots *robotsCache
	dialer *dialer
	log    *slog.Logger
}

// New returns a Fetcher; zero fields of cfg take the DefaultConfig value,
// except Delay, where 0 means no spacing.
func New(cfg Config) *Fetcher {
	def := DefaultConfig()
	if cfg.UserAgent == "" {
		cfg.UserAgent = def.UserAgent
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = def.Timeout
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = def.IdleTimeout
	}
	if cfg.SlowAfter == 0 {
		cfg.SlowAfter = def.SlowAfter
	}
	if cfg.MinRate == 0 {
		cfg.MinRate = def.MinRate
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = def.MaxBytes
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = def.Backoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = def.MaxBackoff
	}
	if cfg.MaxRedirects <= 0 {
		cfg.MaxRedirects = def.MaxRedirects
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	d := newDialer(cfg.Resolver, cfg.AllowPrivate, 15*time.Second)
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would connect for us, past the address guard
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
	}
	f := &Fetcher{
		cfg: cfg,
		client: &http.Client{Transport: tr,
			// Redirects are followed by Get, hop by hop, so that each hop is
			// checked against the allowed hosts and robots.txt and spaced.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		gate:   newHostGate(),
		dialer: d,
		log:    cfg.Log,
	}
	f.robots = newRobotsCache(f)
	return f
}

// SetHostDelay sets the interval between requests to one host (host[:port]
// as in a URL), overriding Config.Delay; a robots.txt Crawl-delay can
// still raise it.
func (f *Fetcher) SetHostDelay(host string, d time.Duration) { f.gate.set(host, d) }

// Close releases idle connections.
func (f *Fetcher) Close() { f.client.CloseIdleConnections() }

// Get fetches req.URL, following redirects within the allowed hosts.
// Failures are *Error.
func (f *Fetcher) Get(ctx context.Context, req Request) (*Response, error) {
	return f.get(ctx, req, true)
}

func (f *Fetcher) get(ctx context.Context, req Request, checkRobots bool) (*Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Error{URL: req.URL, Reason: "bad URL", Err: err}
	}
	allowed := req.Allowed
	if allowed == nil {
		h := u.Host
		allowed = func(host string) bool { return strings.EqualFold(host, h) }
	}
	maxBytes := req.MaxBytes
	if maxBytes <= 0 {
		maxBytes = f.cfg.MaxBytes
	}
	etag, lastMod := req.ETag, req.LastModified
	attempts := 0
	for hop := 0; ; hop++ {
		if !allowed(u.Host) {
			reason := "off-site URL"
			if hop > 0 {
				reason = "off-site redirect"
			}
			return nil, &Error{URL: req.URL, Reason: reason, Err: fmt.Errorf("%s is not an allowed host", u.Host)}
		}
		if checkRobots {
			if err := f.robots.check(ctx, u, allowed); err != nil {
				e := &Error{URL: req.URL, Reason: "robots.txt", Err: err}
				var fe *Error
				if errors.As(err, &fe) { // robots.txt could not be fetched
					e.Temporary = fe.Temporary
					if fe.Status == 0 && !fe.Temporary || fe.Reason == "host busy" { // nor anything else on the host
						e.Reason = fe.Reason
					}
				}
				return nil, e
			}
		}
		resp, n, err := f.retrying(ctx, u, etag, lastMod, maxBytes)
		attempts += n
		if err != nil {
			var fe *Error
			if errors.As(err, &fe) {
				fe.URL = req.URL
				return nil, fe
			}
			return nil, &Error{URL: req.URL, Reason: "cancelled", Err: err}
		}
		if isRedirect(resp.Status) {
			if hop >= f.cfg.MaxRedirects {
				return nil, &Error{URL: req.URL, Reason: "too many redirects", Status: resp.Status}
			}
			next, err := u.Parse(resp.location)
			if err != nil || (next.Scheme != "http" && next.Scheme != "https") {
				return nil, &Error{URL: req.URL, Reason: "bad redirect", Status: resp.Status, Err: err}
			}
			next.Fragment = ""
			f.log.Debug("redirect", "from", u.String(), "to", next.String())
			u = next
			etag, lastMod = "", "" // the validators belong to the first URL
			continue
		}
		r := resp.Response
		r.URL = u.String()
		r.Attempts = attempts
		return &r, nil
	}
}

func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

type hopResponse struct {
	Response
	location string
}

// retrying makes one request with retries; it returns the number of
// requests made.
func (f *Fetcher) retrying(ctx context.Context, u *url.URL, etag, lastMod string, maxBytes int64) (*hopResponse, int, error) {
	n := 0
	op := func() (*hopResponse, error) {
		n++
		return f.once(ctx, u, etag, lastMod, maxBytes)
	}
	b := &backoff.ExponentialBackOff{InitialInterval: f.cfg.Backoff, RandomizationFactor: 0.5,
		Multiplier: 2, MaxInterval: f.cfg.MaxBackoff}
	resp, err := backoff.Retry(ctx, op, backoff.WithBackOff(b), backoff.WithMaxTries(uint(f.cfg.Retries+1)),
		backoff.WithMaxElapsedTime(0), backoff.WithNotify(func(err error, d time.Duration) {
			f.log.Info("retry", "url", u.String(), "in", d, "err", err)
		}))
	var perm *backoff.PermanentError
	if errors.As(err, &perm) {
		err = perm.Unwrap()
	}
	return resp, n, err
}

// laterError carries the server's Retry-After to backoff while keeping the
// *Error for the caller if it was the last try.
type laterError struct {
	ra  *backoff.RetryAfterError
	err *Error
}

func (l *laterError) Error() string   { return l.err.Error() }
func (l *laterError) Unwrap() []error { return []error{l.err, l.ra} }

// once makes one request through the host gate.
func (f *Fetcher) once(ctx context.Context, u *url.URL, etag, lastMod string, maxBytes int64) (*hopResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, backoff.Permanent(err)
	}
	var release func()
	var err error
	if f.cfg.Gate != nil {
		release, err = f.cfg.Gate.Acquire(ctx, u.Host, f.gate.delay(u.Host, f.cfg.Delay))
		var busy *HostBusyError
		if errors.As(err, &busy) {
			return nil, backoff.Permanent(&Error{Reason: "host busy", Temporary: true, Err: err})
		}
	} else {
		release, err = f.gate.acquire(ctx, u.Host, f.cfg.Delay)
	}
	if err != nil {
		return nil, backoff.Permanent(err)
	}
	defer release()
	rctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	// The body's pace is watched apart from the whole request's time.
	rctx, slow := context.WithCancelCause(rctx)
	defer slow(nil)
	hreq, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, backoff.Permanent(&Error{Reason: "bad URL", Err: err})
	}
	hreq.Header.Set("User-Agent", f.cfg.UserAgent)
	hreq.Header.Set("Accept", "text/html,application/xhtml+xml,application/pdf,*/*;q=0.8")
	hreq.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	if etag != "" {
		hreq.Header.Set("If-None-Match", etag)
	}
	if lastMod != "" {
		hreq.Header.Set("If-Modified-Since", lastMod)
	}
	resp, err := f.client.Do(hreq)
	if err != nil {
		return nil, f.classify(ctx, err)
	}
	defer resp.Body.Close()

	out := &hopResponse{Response: Response{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}}
	switch st := resp.StatusCode; {
	case st == http.StatusNotModified:
		out.NotModified = true
		return out, nil
	case isRedirect(st):
		out.location = resp.Header.Get("Location")
		if out.location == "" {
			return nil, backoff.Permanent(&Error{Reason: "redirect without Location", Status: st})
		}
		return out, nil
	case st >= 200 && st < 300:
	default:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		e := &Error{Reason: "HTTP " + strconv.Itoa(st), Status: st}
		if st >= 500 || st == http.StatusTooManyRequests || st == http.StatusRequestTimeout {
			e.Temporary = true
			if d, ok := parseRetryAfter(resp.Header.Get("Retry-After")); ok {
				if d > maxRetryAfter {
					return nil, backoff.Permanent(e)
				}
				return nil, &laterError{ra: &backoff.RetryAfterError{Duration: d}, err: e}
			}
			return nil, e
		}
		return nil, backoff.Permanent(e)
	}
	if resp.ContentLength > maxBytes {
		return nil, backoff.Permanent(&Error{Reason: "too large", Status: resp.StatusCode,
			Err: fmt.Errorf("Content-Length %d over the cap of %d bytes", resp.ContentLength, maxBytes)})
	}
	pr := newPacedReader(resp.Body, f.cfg, slow)
	body, err := io.ReadAll(io.LimitReader(pr, maxBytes+1))
	pr.stop()
	if err != nil {
		if cause := context.Cause(rctx); errors.Is(cause, errSlow) && ctx.Err() == nil {
			// Not retried now: the next try would trickle as slowly.
			return nil, backoff.Permanent(&Error{Reason: "slow response", Status: resp.StatusCode, Temporary: true, Err: cause})
		}
		return nil, f.classify(ctx, err)
	}
	if int64(len(body)) > maxBytes {
		return nil, backoff.Permanent(&Error{Reason: "too large", Status: resp.StatusCode,
			Err: fmt.Errorf("body over the cap of %d bytes", maxBytes)})
	}
	out.Body = body
	return out, nil
}

// classify turns a transport error into a retryable or permanent *Error.
func (f *Fetcher) classify(ctx context.Context, err error) error {
	if ctx.Err() != nil { // the run itself was cancelled: not the server's fault
		return backoff.Permanent(ctx.Err())
	}
	var (
		cve   *tls.CertificateVerificationError
		ua    x509.UnknownAuthorityError
		hn    x509.HostnameError
		inval x509.CertificateInvalidError
		dns   *net.DNSError
		ne    net.Error
	)
	switch {
	case errors.Is(err, ErrRefusedAddress):
		return backoff.Permanent(&Error{Reason: "refused address", Err: err})
	case errors.As(err, &cve), errors.As(err, &ua), errors.As(err, &hn), errors.As(err, &inval):
		return backoff.Permanent(&Error{Reason: "TLS certificate", Err: err})
	case errors.As(err, &dns) && dns.IsNotFound:
		return backoff.Permanent(&Error{Reason: "no such host", Err: err})
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return &Error{Reason: "timeout", Temporary: true, Err: err}
	}
	return &Error{Reason: "network", Temporary: true, Err: err}
}

func parseRetryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := time.Until(t)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
