package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Proxy forwards TCP connections from Listen to Upstream, subject to a Mode.
// It forwards bytes without looking at them: TLS is end to end between the
// client and the API server.
type Proxy struct {
	listenAddr string
	upstream   string

	mu       sync.Mutex
	mode     Mode
	listener net.Listener        // nil while stopped
	conns    map[net.Conn]func() // open client connections and how to close their pair
	changed  chan struct{}       // closed and replaced on every mode change
	done     chan struct{}       // closed by Close
}

// New returns a proxy in Normal mode; call Start to begin listening.
func New(listenAddr, upstream string) *Proxy {
	return &Proxy{
		listenAddr: listenAddr,
		upstream:   upstream,
		mode:       Mode{Kind: Normal},
		conns:      map[net.Conn]func(){},
		changed:    make(chan struct{}),
		done:       make(chan struct{}),
	}
}

// Start binds the listening socket.
func (p *Proxy) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.listenLocked()
}

func (p *Proxy) listenLocked() error {
	if p.listener != nil {
		return nil
	}
	l, err := net.Listen("tcp", p.listenAddr)
	if err != nil {
		return err
	}
	p.listener = l
	go p.acceptLoop(l)
	return nil
}

// Mode returns the current mode.
func (p *Proxy) Mode() Mode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

// SetMode switches the fault mode; it takes effect on open connections too.
func (p *Proxy) SetMode(m Mode) error {
	if err := m.Validate(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = m
	close(p.changed)
	p.changed = make(chan struct{})

	if m.Kind == Stop {
		if p.listener != nil {
			_ = p.listener.Close()
			p.listener = nil
		}
		for _, closePair := range p.conns {
			closePair()
		}
		return nil
	}
	if err := p.listenLocked(); err != nil {
		return fmt.Errorf("listen again on %s: %w", p.listenAddr, err)
	}
	return nil
}

// Close stops listening and drops every connection.
func (p *Proxy) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.done:
		return
	default:
		close(p.done)
	}
	if p.listener != nil {
		_ = p.listener.Close()
		p.listener = nil
	}
	for _, closePair := range p.conns {
		closePair()
	}
}

func (p *Proxy) acceptLoop(l net.Listener) {
	for {
		conn, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return // stopped or closed; SetMode starts a new loop on resume
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go p.handle(conn)
	}
}

func (p *Proxy) handle(client net.Conn) {
	ctx, cancel := context.WithCancel(context.Background())
	var upstream net.Conn
	var upstreamMu sync.Mutex
	closePair := func() {
		cancel()
		_ = client.Close()
		upstreamMu.Lock()
		if upstream != nil {
			_ = upstream.Close()
		}
		upstreamMu.Unlock()
	}
	if !p.track(client, closePair) {
		closePair()
		return
	}
	defer p.untrack(client)
	defer closePair()

	// A connection accepted while hung is held without dialing upstream.
	if !p.waitWhileHung(ctx) {
		return
	}
	up, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		return // the client sees the connection close, as with a dead server
	}
	upstreamMu.Lock()
	upstream = up
	upstreamMu.Unlock()
	if ctx.Err() != nil {
		return
	}

	finished := make(chan struct{}, 2)
	go func() { p.forward(ctx, up, client); finished <- struct{}{} }()
	go func() { p.forwardDelayed(ctx, client, up); finished <- struct{}{} }()
	// Either side closing ends the pair: HTTP clients and the API server
	// both treat a closed connection as final, so half-close buys nothing.
	<-finished
}

func (p *Proxy) track(c net.Conn, closePair func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode.Kind == Stop {
		return false // accepted just before the listener closed
	}
	p.conns[c] = closePair
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
}

// waitWhileHung blocks while the mode is Hang. It returns false when the
// connection was closed meanwhile.
func (p *Proxy) waitWhileHung(ctx context.Context) bool {
	for {
		p.mu.Lock()
		hung := p.mode.Kind == Hang
		changed := p.changed
		p.mu.Unlock()
		if !hung {
			return ctx.Err() == nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return false
		}
	}
}

// latency is the delay Slow adds; 0 in every other mode.
func (p *Proxy) latency() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode.Kind == Slow {
		return p.mode.Latency
	}
	return 0
}

const chunkSize = 32 * 1024

// forward copies src to dst (client to API server), pausing while hung.
func (p *Proxy) forward(ctx context.Context, dst, src net.Conn) {
	buf := make([]byte, chunkSize)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.waitWhileHung(ctx) {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// chunk is data read from the API server and when it arrived.
type chunk struct {
	data []byte
	at   time.Time
}

// forwardDelayed copies src to dst (API server to client). Reading and writing
// are decoupled by a queue so that in Slow mode each chunk is delivered
// Latency after it arrived, without the delays adding up across chunks.
func (p *Proxy) forwardDelayed(ctx context.Context, dst, src net.Conn) {
	queue := make(chan chunk, 64)
	go func() {
		defer close(queue)
		for {
			buf := make([]byte, chunkSize)
			n, err := src.Read(buf)
			if n > 0 {
				select {
				case queue <- chunk{data: buf[:n], at: time.Now()}:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range queue {
		if !p.waitWhileHung(ctx) || !p.sleepUntil(ctx, c.at) {
			return
		}
		if _, err := dst.Write(c.data); err != nil {
			return
		}
	}
}

// sleepUntil waits until at+latency, re-reading the latency when the mode
// changes so that resuming releases delayed chunks at once.
func (p *Proxy) sleepUntil(ctx context.Context, at time.Time) bool {
	for {
		p.mu.Lock()
		changed := p.changed
		p.mu.Unlock()
		wait := time.Until(at.Add(p.latency()))
		if wait <= 0 {
			return ctx.Err() == nil
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-changed:
			timer.Stop()
		case <-ctx.Done():
			timer.Stop()
			return false
		}
	}
}
