package crawl

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/nianbao/nianbao"
)

// ParseSites reads a sites file: one site per line, its start URL (the
// annual-report column) first, then optional key=value settings; blank
// lines and lines starting with # are ignored.
//
//	# organ name, extra hosts, and per-site bounds are optional
//	https://www.example.gov.cn/col/ndbg/index.html name=某市人民政府 delay=5s
//	https://zwgk.example.gov.cn/nb/ name=某县人民政府 max-pages=300 max-bytes=200MB hosts=files.example.gov.cn
//
// Settings: name (no spaces; the organ, which also places reports whose
// organ name says no place), division (its NBS division code, when the
// name does not say it), delay (a Go duration: per-host interval for
// this site), max-pages, max-bytes (with optional KB, MB, GB), max-time
// (a Go duration: this site's time per run), hosts
// (comma-separated extra hosts the site's links may lead to).
func ParseSites(r io.Reader, name string) ([]Site, error) {
	var out []Site
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	seen := map[string]int{}
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		start, err := StartURL(fields[0])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		if prev, dup := seen[start]; dup {
			return nil, fmt.Errorf("%s:%d: %s is already listed on line %d", name, n, start, prev)
		}
		seen[start] = n
		s := Site{Start: start}
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(f, "=")
			if !ok || v == "" {
				return nil, fmt.Errorf("%s:%d: %q: want key=value", name, n, f)
			}
			switch k {
			case "name":
				s.Name = v
			case "division":
				if strings.Trim(v, "0123456789") != "" || (len(v) != 2 && len(v) != 4 && len(v) != 6 && len(v) != 9) {
					return nil, fmt.Errorf("%s:%d: division=%s: want a division code of 2, 4, 6 or 9 digits", name, n, v)
				}
				s.Division = v
			case "delay":
				d, err := time.ParseDuration(v)
				if err != nil || d < 0 {
					return nil, fmt.Errorf("%s:%d: delay %q: want a duration such as 2s", name, n, v)
				}
				s.Delay = &d
			case "max-pages":
				p, err := strconv.Atoi(v)
				if err != nil || p <= 0 {
					return nil, fmt.Errorf("%s:%d: max-pages %q: want a positive number", name, n, v)
				}
				s.MaxPages = p
			case "max-bytes":
				b, err := ParseBytes(v)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: max-bytes: %w", name, n, err)
				}
				s.MaxBytes = b
			case "max-time":
				d, err := time.ParseDuration(v)
				if err != nil || d <= 0 {
					return nil, fmt.Errorf("%s:%d: max-time %q: want a positive duration such as 30m", name, n, v)
				}
				s.MaxTime = d
			case "hosts":
				for _, h := range strings.Split(v, ",") {
					if h = strings.TrimSpace(h); h != "" {
						if strings.ContainsAny(h, "/:@") && !validHostPort(h) {
							return nil, fmt.Errorf("%s:%d: hosts: %q is not a host name", name, n, h)
						}
						s.Hosts = append(s.Hosts, h)
					}
				}
			default:
				return nil, fmt.Errorf("%s:%d: unknown setting %q (want name, delay, max-pages, max-bytes, max-time, hosts)", name, n, k)
			}
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// validHostPort accepts host:port.
func validHostPort(h string) bool {
	host, port, ok := strings.Cut(h, ":")
	if !ok || host == "" || strings.ContainsAny(host, "/@") {
		return false
	}
	_, err := strconv.Atoi(port)
	return err == nil
}

// ParseBytes reads a size such as 500000, 200KB, 64MB, 2GB (powers of 1024).
func ParseBytes(s string) (int64, error) {
	n, err := nianbao.ParseSize(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q: want a size such as 200MB", s)
	}
	return n, nil
}
