package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// ErrRefusedAddress is returned (wrapped) when a connection would go to an
// address the crawler must never reach: private networks, loopback (unless
// allowed), link-local (cloud metadata at 169.254.169.254), multicast, ….
var ErrRefusedAddress = errors.New("refused address")

// AddrError is a refused address and why (loopback, private, link-local
// …); it is an ErrRefusedAddress. A crawler can tell a loopback address,
// refused only because AllowPrivate is off, from one always refused.
type AddrError struct {
	Addr netip.Addr
	Why  string
}

func (e *AddrError) Error() string {
	return fmt.Sprintf("%v: %s is %s", ErrRefusedAddress, e.Addr, e.Why)
}
func (e *AddrError) Unwrap() error { return ErrRefusedAddress }

// Loopback says whether the address was refused only for being loopback.
func (e *AddrError) Loopback() bool { return e.Why == "loopback" }

// Resolver turns a host name into addresses; *net.Resolver is one, tests
// give a map.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Ranges that are not caught by the netip predicates.
var refusedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64 (RFC 8215)
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
}

var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// CheckAddr says whether the crawler may connect to ip. allowLoopback lets
// tests and a local demo reach 127.0.0.0/8 and ::1; nothing else private is
// ever allowed.
func CheckAddr(ip netip.Addr, allowLoopback bool) error {
	ip = ip.Unmap().WithZone("")
	if nat64.Contains(ip) { // a NAT64 address reaches the IPv4 address it embeds
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	why := ""
	switch {
	case !ip.IsValid():
		why = "invalid"
	case ip.IsLoopback():
		if allowLoopback {
			return nil
		}
		why = "loopback"
	case ip.IsPrivate(): // 10/8, 172.16/12, 192.168/16, fc00::/7 (ULA)
		why = "private"
	case ip.IsLinkLocalUnicast():
		why = "link-local"
	case ip.IsUnspecified():
		why = "unspecified"
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		why = "multicast"
	default:
		for _, p := range refusedPrefixes {
			if p.Contains(ip) {
				why = "reserved (" + p.String() + ")"
				break
			}
		}
	}
	if why == "" {
		return nil
	}
	return &AddrError{Addr: ip, Why: why}
}

// dialer connects only to allowed addresses. The check sits in the
// net.Dialer Control hook, which runs on the resolved address after the
// socket is made and before connect(2): whatever a name resolves to, and
// wherever a redirect points, no packet goes to a refused address.
type dialer struct {
	resolver      Resolver
	allowLoopback bool
	net           net.Dialer
}

func newDialer(r Resolver, allowLoopback bool, timeout time.Duration) *dialer {
	if r == nil {
		r = net.DefaultResolver
	}
	d := &dialer{resolver: r, allowLoopback: allowLoopback}
	d.net = net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: d.control}
	return d
}

// control is the net.Dialer Control hook.
func (d *dialer) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse %q", ErrRefusedAddress, address)
	}
	return CheckAddr(ap.Addr(), d.allowLoopback)
}

// DialContext resolves addr with the resolver and dials the addresses in
// turn; the resolved IP, never the name, goes to net.Dialer, so the Control
// hook sees exactly what is connected to.
func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = d.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
		if len(ips) == 0 {
			return nil, fmt.Errorf("resolve %s: no address", host)
		}
	}
	var first error
	for _, ip := range ips {
		c, err := d.net.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		if first == nil || (errors.Is(first, ErrRefusedAddress) && !errors.Is(err, ErrRefusedAddress)) {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}
