package proxy

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startProxy runs a proxy in front of an HTTP server answering "ok".
func startProxy(t *testing.T) (*Proxy, string) {
	t.Helper()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(upstream.Close)
	addr := freeAddr(t)
	p := New(addr, upstream.Listener.Addr().String())
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p, addr
}

func get(addr string, timeout time.Duration) (string, error) {
	// A fresh transport per request: pooled connections would hide faults
	// that only new connections see.
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

func mustSet(t *testing.T, p *Proxy, m Mode) {
	t.Helper()
	if err := p.SetMode(m); err != nil {
		t.Fatal(err)
	}
}

func TestNormalForwards(t *testing.T) {
	_, addr := startProxy(t)
	if body, err := get(addr, 2*time.Second); err != nil || body != "ok" {
		t.Fatalf("got %q, %v", body, err)
	}
}

func TestStopRefusesAndResumeRestores(t *testing.T) {
	p, addr := startProxy(t)
	mustSet(t, p, Mode{Kind: Stop})
	_, err := get(addr, 2*time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("want ECONNREFUSED, got %v", err)
	}
	mustSet(t, p, Mode{Kind: Normal})
	if body, err := get(addr, 2*time.Second); err != nil || body != "ok" {
		t.Fatalf("after resume got %q, %v", body, err)
	}
}

func TestStopClosesOpenConnections(t *testing.T) {
	p, addr := startProxy(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	mustSet(t, p, Mode{Kind: Stop})
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("want the open connection closed, got %v", err)
	}
}

func TestHangTimesOutThenResumeAnswers(t *testing.T) {
	p, addr := startProxy(t)
	mustSet(t, p, Mode{Kind: Hang})
	start := time.Now()
	_, err := get(addr, 300*time.Millisecond)
	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("want a timeout, got %v", err)
	}
	if time.Since(start) < 300*time.Millisecond {
		t.Fatal("returned before the client timeout")
	}

	// A request sent while hung completes once resumed.
	result := make(chan error, 1)
	go func() { _, err := get(addr, 5*time.Second); result <- err }()
	time.Sleep(200 * time.Millisecond)
	mustSet(t, p, Mode{Kind: Normal})
	if err := <-result; err != nil {
		t.Fatalf("held request after resume: %v", err)
	}
}

func TestSlowAddsLatencyPerRoundTrip(t *testing.T) {
	p, addr := startProxy(t)
	mustSet(t, p, Mode{Kind: Slow, Latency: 300 * time.Millisecond})
	start := time.Now()
	if _, err := get(addr, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Fatalf("took %v, want >= 300ms", took)
	}
	mustSet(t, p, Mode{Kind: Normal})
	start = time.Now()
	if _, err := get(addr, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 250*time.Millisecond {
		t.Fatalf("after resume took %v", took)
	}
}

func TestModeValidation(t *testing.T) {
	for _, m := range []Mode{{Kind: "explode"}, {Kind: Slow}, {Kind: Slow, Latency: -time.Second}} {
		if m.Validate() == nil {
			t.Errorf("%v: want an error", m)
		}
	}
}

func TestControlEndpoint(t *testing.T) {
	p, _ := startProxy(t)
	srv := httptest.NewServer(ControlHandler(p))
	defer srv.Close()
	c := NewClient(srv.Listener.Addr().String())
	ctx := context.Background()
	m, err := c.Set(ctx, Mode{Kind: Slow, Latency: 2 * time.Second})
	if err != nil || m.Kind != Slow || m.Latency != 2*time.Second {
		t.Fatalf("set: %v %v", m, err)
	}
	if got, err := c.Get(ctx); err != nil || got != m {
		t.Fatalf("get: %v %v", got, err)
	}
	if _, err := c.Set(ctx, Mode{Kind: "bogus"}); err == nil {
		t.Fatal("want an error for an unknown mode")
	}
}

func TestHangStopsAlreadyOpenConnections(t *testing.T) {
	p, addr := startProxy(t)
	// One keep-alive connection, reused by both requests.
	transport := &http.Transport{MaxConnsPerHost: 1}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 300 * time.Millisecond}
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(resp.Body)
	resp.Body.Close()

	mustSet(t, p, Mode{Kind: Hang})
	_, err = client.Get("http://" + addr + "/")
	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("want a timeout on the open connection, got %v", err)
	}
}
