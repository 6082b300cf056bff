package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// The control endpoint is plain HTTP on loopback:
//
//	GET /mode          -> {"mode":"slow","latency":"2s"}
//	PUT /mode {...}    -> the mode now in force
//
// HTTP keeps it scriptable with curl and needs no socket path, whose length
// limit a deep TESTBED_DIR could exceed.

// ControlHandler serves the control endpoint of p.
func ControlHandler(p *Proxy) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /mode", func(w http.ResponseWriter, _ *http.Request) {
		writeMode(w, p.Mode())
	})
	mux.HandleFunc("PUT /mode", func(w http.ResponseWriter, r *http.Request) {
		var m Mode
		if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := p.SetMode(m); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeMode(w, p.Mode())
	})
	return mux
}

func writeMode(w http.ResponseWriter, m Mode) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(m)
}

// Client talks to a proxy's control endpoint.
type Client struct {
	Addr string
	HTTP *http.Client
}

// NewClient returns a client for the control endpoint at addr (host:port).
func NewClient(addr string) *Client {
	return &Client{Addr: addr, HTTP: &http.Client{Timeout: 5 * time.Second}}
}

// Get returns the proxy's mode.
func (c *Client) Get(ctx context.Context) (Mode, error) {
	return c.do(ctx, http.MethodGet, nil)
}

// Set switches the proxy's mode and returns the mode in force.
func (c *Client) Set(ctx context.Context, m Mode) (Mode, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return Mode{}, err
	}
	return c.do(ctx, http.MethodPut, body)
}

func (c *Client) do(ctx context.Context, method string, body []byte) (Mode, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://"+c.Addr+"/mode", bytes.NewReader(body))
	if err != nil {
		return Mode{}, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Mode{}, fmt.Errorf("fault proxy control at %s: %w", c.Addr, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return Mode{}, fmt.Errorf("fault proxy control at %s: %s: %s", c.Addr, resp.Status, bytes.TrimSpace(data))
	}
	var m Mode
	if err := json.Unmarshal(data, &m); err != nil {
		return Mode{}, fmt.Errorf("fault proxy control at %s: %w", c.Addr, err)
	}
	return m, nil
}

// Serve runs the proxy and its control endpoint until ctx ends.
func Serve(ctx context.Context, listenAddr, upstream, controlAddr string) error {
	p := New(listenAddr, upstream)
	if err := p.Start(); err != nil {
		return fmt.Errorf("listen on %s: %w", listenAddr, err)
	}
	defer p.Close()

	ln, err := net.Listen("tcp", controlAddr)
	if err != nil {
		return fmt.Errorf("control listen on %s: %w", controlAddr, err)
	}
	srv := &http.Server{Handler: ControlHandler(p), ReadHeaderTimeout: 5 * time.Second}
	errs := make(chan error, 1)
	go func() { errs <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return srv.Shutdown(shutdownCtx)
	case err := <-errs:
		return err
	}
}
