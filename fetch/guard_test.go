package fetch

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"
)

// mapResolver is the test resolver: names resolve to whatever the test
// says, so DNS tricks can be tried without DNS.
type mapResolver map[string][]string

func (m mapResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ss, ok := m[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

var errSafetyNet = errors.New("test safety net: connection outside 127.0.0.0/8 stopped")

// safetyNet chains a second Control hook after the guard's, so that even a
// broken guard can never make a test connect outside 127.0.0.0/8.
func safetyNet(t *testing.T, d *dialer) {
	t.Helper()
	guard := d.net.Control
	d.net.Control = func(network, address string, c syscall.RawConn) error {
		if err := guard(network, address, c); err != nil {
			return err
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !netip.MustParsePrefix("127.0.0.0/8").Contains(ap.Addr().Unmap()) {
			t.Errorf("guard let through %s", address)
			return errSafetyNet
		}
		return nil
	}
}

func TestCheckAddr(t *testing.T) {
	refused := []string{
		"10.0.0.1", "10.255.255.255", "172.16.5.4", "172.31.0.1", "192.168.1.1",
		"169.254.169.254", // cloud metadata
		"127.0.0.1", "127.1.2.3", "::1",
		"0.0.0.0", "::", "0.1.2.3",
		"100.64.0.1", "100.127.255.254", // CGNAT
		"fc00::1", "fd12:3456::1", // ULA
		"fe80::1", "fe80::1%eth0",
		"224.0.0.1", "239.1.1.1", "ff02::1", "ff05::2",
		"255.255.255.255", "240.0.0.1",
		"::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", // v4-mapped
		"64:ff9b::a00:1", "64:ff9b::7f00:1", // NAT64 of 10.0.0.1 and 127.0.0.1
		"fec0::1", "198.18.0.1", "192.0.0.8", "192.0.2.1",
	}
	for _, s := range refused {
		ip := netip.MustParseAddr(s)
		if err := CheckAddr(ip, false); !errors.Is(err, ErrRefusedAddress) {
			t.Errorf("CheckAddr(%s) = %v, want refused", s, err)
		}
	}
	allowed := []string{"8.8.8.8", "1.1.1.1", "223.5.5.5", "114.114.114.114", "2400:3200::1",
		"::ffff:8.8.8.8", "64:ff9b::808:808", "172.32.0.1", "100.128.0.1", "11.0.0.1"}
	for _, s := range allowed {
		if err := CheckAddr(netip.MustParseAddr(s), false); err != nil {
			t.Errorf("CheckAddr(%s) = %v, want allowed", s, err)
		}
	}
	// --allow-private opens loopback only.
	for _, s := range []string{"127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"} {
		if err := CheckAddr(netip.MustParseAddr(s), true); err != nil {
			t.Errorf("CheckAddr(%s, allowLoopback) = %v, want allowed", s, err)
		}
	}
	for _, s := range []string{"10.0.0.1", "192.168.1.1", "169.254.169.254", "fc00::1", "100.64.0.1", "0.0.0.0"} {
		if err := CheckAddr(netip.MustParseAddr(s), true); !errors.Is(err, ErrRefusedAddress) {
			t.Errorf("CheckAddr(%s, allowLoopback) = %v, want refused", s, err)
		}
	}
}

// TestDialerRefusesBeforeConnect feeds private addresses through the test
// resolver to the real dialer: every one is refused by the Control hook,
// and a local listener proves no connection was made to the one that was
// reachable.
func TestDialerRefusesBeforeConnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan string, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c.RemoteAddr().String()
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	res := mapResolver{
		"intranet.example": {"10.0.0.1"},
		"router.example":   {"192.168.1.1"},
		"metadata.example": {"169.254.169.254"},
		"v6loop.example":   {"::1"},
		"ula.example":      {"fd00::1"},
		"cgnat.example":    {"100.64.0.1"},
		"rebind.example":   {"127.0.0.1"}, // a public name resolving to loopback
		"mixed.example":    {"10.0.0.1", "169.254.169.254"},
	}
	d := newDialer(res, false, time.Second)
	safetyNet(t, d)
	ctx := context.Background()
	for _, host := range []string{"intranet.example", "router.example", "metadata.example", "v6loop.example",
		"ula.example", "cgnat.example", "rebind.example", "mixed.example", "127.0.0.1", "10.0.0.1", "[::1]"} {
		c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(trimBrackets(host), port))
		if err == nil {
			c.Close()
			t.Errorf("dial %s: connected", host)
			continue
		}
		if !errors.Is(err, ErrRefusedAddress) {
			t.Errorf("dial %s: %v, want ErrRefusedAddress", host, err)
		}
	}
	// The only connection the listener ever sees is this control one.
	probe, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	select {
	case got := <-accepted:
		if got != probe.LocalAddr().String() {
			t.Errorf("listener accepted %s before the probe %s: a refused dial connected", got, probe.LocalAddr())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("probe not accepted")
	}

	// With --allow-private the loopback name connects; private stays refused.
	d = newDialer(res, true, time.Second)
	safetyNet(t, d)
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort("rebind.example", port))
	if err != nil {
		t.Fatalf("allow-private dial to loopback: %v", err)
	}
	c.Close()
	for _, host := range []string{"intranet.example", "metadata.example", "ula.example"} {
		if _, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, port)); !errors.Is(err, ErrRefusedAddress) {
			t.Errorf("allow-private dial %s: %v, want refused", host, err)
		}
	}
}

func trimBrackets(h string) string {
	if len(h) > 1 && h[0] == '[' {
		return h[1 : len(h)-1]
	}
	return h
}

func TestControlHookParsesAddress(t *testing.T) {
	d := newDialer(mapResolver{}, false, time.Second)
	for _, a := range []string{"10.0.0.1:80", "[::1]:443", "[fe80::1%eth0]:80", "garbage"} {
		if err := d.control("tcp", a, nil); !errors.Is(err, ErrRefusedAddress) {
			t.Errorf("control(%s) = %v", a, err)
		}
	}
	if err := d.control("tcp", "8.8.8.8:80", nil); err != nil {
		t.Errorf("control(8.8.8.8:80) = %v", err)
	}
}
